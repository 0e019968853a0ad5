// Package interop holds the service's gRPC transport to a second real client family, grpc-go:
// deadlines past Node's timer range, unknown methods, metadata by count, and shutdown with
// streams open, on the plain path (the service's own transport) and the compressed one
// (connect-node). Run by test/e2e/grpc-go.test.ts, which starts the server and sets NELITI_ADDR
// (and NELITI_PID with NELITI_GRACE_MS for the shutdown test, which stops that server).
package interop

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The two paths a call can take through the server, chosen by its compression.
var paths = map[string][]grpc.CallOption{
	"plain":      nil,
	"compressed": {grpc.UseCompressor(gzip.Name)},
}

func dial(t *testing.T) *grpc.ClientConn {
	t.Helper()
	addr := os.Getenv("NELITI_ADDR")
	if addr == "" {
		t.Skip("NELITI_ADDR is not set: run through test/e2e/grpc-go.test.ts")
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func codeOf(err error) codes.Code { return status.Code(err) }

func TestCheckAnswersServing(t *testing.T) {
	health := healthpb.NewHealthClient(dial(t))
	for name, opts := range paths {
		res, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{}, opts...)
		if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("%s: Check = %v, %v; want SERVING", name, res.GetStatus(), err)
		}
	}
}

// A 30-day deadline (past Node's 24.8-day timers) keeps a stream open; the client's cancel ends it.
func TestFarDeadlineKeepsStreamOpen(t *testing.T) {
	health := healthpb.NewHealthClient(dial(t))
	for name, opts := range paths {
		ctx, cancel := context.WithTimeout(context.Background(), 30*24*time.Hour)
		stream, err := health.Watch(ctx, &healthpb.HealthCheckRequest{}, opts...)
		if err != nil {
			t.Fatalf("%s: Watch: %v", name, err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("%s: first Recv: %v", name, err)
		}
		next := make(chan error, 1)
		go func() { _, err := stream.Recv(); next <- err }()
		select {
		case err := <-next:
			t.Fatalf("%s: stream ended before its deadline: %v", name, err)
		case <-time.After(500 * time.Millisecond):
		}
		cancel()
		if err := <-next; codeOf(err) != codes.Canceled {
			t.Fatalf("%s: after cancel: %v; want Canceled", name, err)
		}
	}
}

// A century's deadline on a unary call (grpc-go's durations end at 292 years; it sends hours):
// answered, not timed out.
func TestCenturyDeadlineUnary(t *testing.T) {
	health := healthpb.NewHealthClient(dial(t))
	for name, opts := range paths {
		ctx, cancel := context.WithTimeout(context.Background(), 100*365*24*time.Hour)
		_, err := health.Check(ctx, &healthpb.HealthCheckRequest{}, opts...)
		cancel()
		if err != nil {
			t.Fatalf("%s: Check under a century's deadline: %v", name, err)
		}
	}
}

func TestShortDeadlineEndsStream(t *testing.T) {
	health := healthpb.NewHealthClient(dial(t))
	for name, opts := range paths {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		started := time.Now()
		stream, err := health.Watch(ctx, &healthpb.HealthCheckRequest{}, opts...)
		if err == nil {
			_, err = stream.Recv()
		}
		if err == nil {
			_, err = stream.Recv()
		}
		cancel()
		if codeOf(err) != codes.DeadlineExceeded || time.Since(started) < 250*time.Millisecond {
			t.Fatalf("%s: %v after %v; want DeadlineExceeded after 300ms", name, err, time.Since(started))
		}
	}
}

func TestUnknownMethodIsUnimplemented(t *testing.T) {
	conn := dial(t)
	for name, opts := range paths {
		err := conn.Invoke(context.Background(), "/neliti.dataplane.v1.TickService/NoSuchMethod", &emptypb.Empty{}, &emptypb.Empty{}, opts...)
		if codeOf(err) != codes.Unimplemented {
			t.Fatalf("%s: %v; want Unimplemented", name, err)
		}
	}
}

// gRPC limits metadata by size only: 150 small entries (Node's default limit was 128) and one
// 8 KiB value are taken.
func TestMetadataBySizeNotCount(t *testing.T) {
	health := healthpb.NewHealthClient(dial(t))
	pairs := []string{"x-large", strings.Repeat("v", 8192)}
	for i := range 150 {
		pairs = append(pairs, fmt.Sprintf("x-entry-%d", i), "v")
	}
	for name, opts := range paths {
		ctx := metadata.NewOutgoingContext(context.Background(), metadata.Pairs(pairs...))
		if _, err := health.Check(ctx, &healthpb.HealthCheckRequest{}, opts...); err != nil {
			t.Fatalf("%s: Check with 151 metadata entries: %v", name, err)
		}
	}
}

// SIGTERM with streams open: they see NOT_SERVING at once, are left open until the grace is over,
// then end with UNAVAILABLE (a code the client may retry elsewhere); the process exits within
// grace + 1 s.
func TestShutdownEndsStreamsUnavailable(t *testing.T) {
	pid, _ := strconv.Atoi(os.Getenv("NELITI_PID"))
	graceMs, _ := strconv.Atoi(os.Getenv("NELITI_GRACE_MS"))
	if pid == 0 || graceMs == 0 {
		t.Skip("NELITI_PID and NELITI_GRACE_MS name a server this test may stop")
	}
	grace := time.Duration(graceMs) * time.Millisecond
	health := healthpb.NewHealthClient(dial(t))
	type ending struct {
		name     string
		statuses []healthpb.HealthCheckResponse_ServingStatus
		err      error
		at       time.Time
	}
	ended := make(chan ending, len(paths))
	ready := make(chan struct{}, len(paths))
	for name, opts := range paths {
		stream, err := health.Watch(context.Background(), &healthpb.HealthCheckRequest{}, opts...)
		if err != nil {
			t.Fatalf("%s: Watch: %v", name, err)
		}
		go func() {
			e := ending{name: name}
			for {
				res, err := stream.Recv()
				if err != nil {
					e.err, e.at = err, time.Now()
					ended <- e
					return
				}
				if len(e.statuses) == 0 {
					ready <- struct{}{}
				}
				e.statuses = append(e.statuses, res.GetStatus())
			}
		}()
	}
	for range paths {
		<-ready
	}
	stopped := time.Now()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	for range paths {
		e := <-ended
		if codeOf(e.err) != codes.Unavailable {
			t.Errorf("%s: ended with %v; want Unavailable", e.name, e.err)
		}
		if took := e.at.Sub(stopped); took < grace-50*time.Millisecond {
			t.Errorf("%s: ended %v after SIGTERM, before the %v grace", e.name, took, grace)
		}
		last := e.statuses[len(e.statuses)-1]
		if last != healthpb.HealthCheckResponse_NOT_SERVING {
			t.Errorf("%s: statuses %v; want NOT_SERVING once draining", e.name, e.statuses)
		}
	}
	for syscall.Kill(pid, 0) == nil {
		if time.Since(stopped) > grace+time.Second {
			t.Fatalf("the server still runs %v after SIGTERM (grace %v)", time.Since(stopped), grace)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("server gone %v after SIGTERM (grace %v)", time.Since(stopped), grace)
}
