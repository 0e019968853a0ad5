// A small strategy engine on the data plane's Go stubs (generate.sh makes them from proto/): it logs
// in, reads an hour of M1 candles and two indicators over them, follows the live ticks and bars of
// a symbol, and asks the vector store for the patterns nearest a vector. It prints one JSON line of
// what it saw; test/e2e/go-engine.test.ts runs it against the service in CI.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	dp "neliti.dev/go-engine/dataplanev1"
)

type summary struct {
	Engine      string         `json:"engine"`
	Candles     int            `json:"candles"`
	Indicators  map[string]int `json:"indicators"`
	LiveTicks   int            `json:"live_ticks"`
	LiveCandles int            `json:"live_candles"`
	VectorHits  int            `json:"vector_hits"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "the data plane's gRPC address")
	email := flag.String("email", os.Getenv("NELITI_EMAIL"), "user to log in as (empty: no login, for a server with authentication off)")
	password := flag.String("password", os.Getenv("NELITI_PASSWORD"), "that user's password")
	symbol := flag.String("symbol", "EURUSD", "symbol to trade")
	broker := flag.String("broker", "ICMarkets", "broker of the series")
	liveTicks := flag.Int("live-ticks", 5, "live ticks to see before stopping")
	dimension := flag.Int("dimension", 384, "dimension of the TechnicalPattern vectors")
	timeout := flag.Duration("timeout", 60*time.Second, "give up after this long")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatalf("dial %s: %v", *addr, err)
	}
	defer conn.Close()

	if *email != "" {
		res, err := dp.NewUserServiceClient(conn).Authenticate(ctx, &dp.AuthenticateRequest{Email: *email, Password: *password})
		if err != nil {
			log.Fatalf("authenticate: %v", err)
		}
		// Every later call carries the session token.
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+res.GetSession().GetToken())
	}
	out := summary{Engine: "ok", Indicators: map[string]int{}}
	ticks := dp.NewTickServiceClient(conn)

	now := time.Now().UnixMilli()
	span := &dp.GetCandlesRequest{Symbol: *symbol, Broker: *broker, Timeframe: dp.Timeframe_TIMEFRAME_M1, StartTimeMsc: now - 3_600_000, EndTimeMsc: now + 1}
	candles, err := ticks.GetCandles(ctx, span)
	if err != nil {
		log.Fatalf("candles: %v", err)
	}
	out.Candles = len(candles.GetCandles())

	indicators, err := ticks.GetIndicators(ctx, &dp.GetIndicatorsRequest{
		Symbol: *symbol, Broker: *broker, Timeframe: dp.Timeframe_TIMEFRAME_M1, StartTimeMsc: span.StartTimeMsc, EndTimeMsc: span.EndTimeMsc,
		Indicators: []*dp.IndicatorSpec{{Type: dp.IndicatorType_INDICATOR_TYPE_SMA, Period: 5}, {Type: dp.IndicatorType_INDICATOR_TYPE_RSI, Period: 3}},
	})
	if err != nil {
		log.Fatalf("indicators: %v", err)
	}
	for _, s := range indicators.GetSeries() {
		out.Indicators[s.GetSpec().GetType().String()] = len(s.GetPoints())
	}

	// Live: ticks and M1 bars of the symbol, until enough ticks have come.
	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	bars, err := ticks.SubscribeCandles(liveCtx, &dp.SubscribeCandlesRequest{Symbols: []string{*symbol}, Broker: *broker, Timeframe: dp.Timeframe_TIMEFRAME_M1})
	if err != nil {
		log.Fatalf("subscribe candles: %v", err)
	}
	barCount := make(chan int, 1)
	go func() {
		n := 0
		for {
			if _, err := bars.Recv(); err != nil {
				barCount <- n
				return
			}
			n++
		}
	}()
	live, err := ticks.SubscribeTicks(liveCtx, &dp.SubscribeTicksRequest{Symbols: []string{*symbol}})
	if err != nil {
		log.Fatalf("subscribe ticks: %v", err)
	}
	fmt.Fprintln(os.Stderr, "subscribed") // the test starts its live ticks on this line
	for out.LiveTicks < *liveTicks {
		res, err := live.Recv()
		if err != nil {
			log.Fatalf("live ticks: %v", err)
		}
		out.LiveTicks += len(res.GetTicks())
	}
	stopLive()
	out.LiveCandles = <-barCount

	vector := make([]float32, *dimension)
	vector[0] = 1
	near, err := dp.NewVectorServiceClient(conn).SearchNearVector(ctx, &dp.SearchNearVectorRequest{Collection: "TechnicalPattern", Vector: vector, Limit: 3})
	if err != nil {
		log.Fatalf("vector search: %v", err)
	}
	out.VectorHits = len(near.GetHits())

	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}
