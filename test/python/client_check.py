"""A Python user's first session against a running server, from a clone alone.

Generates stubs from proto/ with grpcio-tools (protovalidate's validate.proto is vendored there),
ingests a columnar batch built with numpy, reads it back and checks it is exact, then calls one
RPC of every service. Prints one JSON line with what it saw; exits non-zero on any mismatch.

    python test/python/client_check.py 127.0.0.1:50051
"""
import importlib
import json
import pathlib
import subprocess
import sys
import tempfile
import time
import uuid

import grpc
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROTO = ROOT / "proto"


def generate_stubs(out: pathlib.Path) -> None:
    # proto/grpc (health, reflection) is left out: Python has those as grpcio-health-checking and
    # grpcio-reflection, and stubs generated into a top-level "grpc" package would shadow grpcio.
    files = [str(p.relative_to(PROTO)) for d in ("neliti", "buf") for p in (PROTO / d).rglob("*.proto")]
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO}", f"--python_out={out}", f"--grpc_python_out={out}", *files],
        check=True,
    )
    sys.path.insert(0, str(out))


def columnar_batch(pb, symbol: str, broker: str, n: int, start_ms: int):
    """n ticks of one series as little-endian arrays: one tobytes() per column."""
    rng = np.random.default_rng(7)
    bid = np.round(1.08 + np.cumsum(rng.normal(0, 1e-5, n)), 5).astype("<f8")
    ask = (bid + 0.0001).astype("<f8")
    cols = pb.TickColumns(
        symbols=[symbol],
        brokers=[broker],
        symbol_index=np.zeros(n, "<u4").tobytes(),
        broker_index=np.zeros(n, "<u4").tobytes(),
        account_type=np.full(n, pb.ACCOUNT_TYPE_DEMO, "u1").tobytes(),
        time_msc=(start_ms + np.arange(n, dtype="<i8")).tobytes(),
        bid=bid.tobytes(),
        ask=ask.tobytes(),
        last=np.zeros(n, "<f8").tobytes(),
        volume=np.ones(n, "<f8").tobytes(),
        flags=np.full(n, 6, "<u4").tobytes(),
    )
    return pb.TickBatch(batch_id=f"py-{uuid.uuid4().hex}", columns=cols), bid, ask


def main(target: str) -> int:
    with tempfile.TemporaryDirectory() as out:
        generate_stubs(pathlib.Path(out))
        v1 = "neliti.dataplane.v1."
        tick, tick_grpc = (importlib.import_module(v1 + m) for m in ("tick_pb2", "tick_pb2_grpc"))
        cache, cache_grpc = (importlib.import_module(v1 + m) for m in ("cache_pb2", "cache_pb2_grpc"))
        user, user_grpc = (importlib.import_module(v1 + m) for m in ("user_pb2", "user_pb2_grpc"))
        graph, graph_grpc = (importlib.import_module(v1 + m) for m in ("graph_pb2", "graph_pb2_grpc"))
        vector, vector_grpc = (importlib.import_module(v1 + m) for m in ("vector_pb2", "vector_pb2_grpc"))
        stream, stream_grpc = (importlib.import_module(v1 + m) for m in ("stream_pb2", "stream_pb2_grpc"))
        ops, ops_grpc = (importlib.import_module(v1 + m) for m in ("ops_pb2", "ops_pb2_grpc"))

        channel = grpc.insecure_channel(target)
        grpc.channel_ready_future(channel).result(timeout=30)
        seen: dict = {}

        # Ticks: one columnar batch in, the same values out.
        n = 2_000
        symbol = f"PY{uuid.uuid4().hex[:6].upper()}"
        start_ms = int(time.time() * 1000) - 60_000
        batch, bid, ask = columnar_batch(tick, symbol, "PyBroker", n, start_ms)
        ticks = tick_grpc.TickServiceStub(channel)
        written = ticks.WriteTicks(iter([tick.WriteTicksRequest(batch=batch)]))
        assert written.accepted_ticks == n and written.durable_ticks == n, written
        back = [t for chunk in ticks.QueryTicks(tick.QueryTicksRequest(symbol=symbol, start_time_msc=start_ms, end_time_msc=start_ms + n)) for t in chunk.ticks]
        got_bid = np.array([t.bid for t in back], "<f8")
        got_ask = np.array([t.ask for t in back], "<f8")
        got_time = np.array([t.time_msc for t in back], "<i8")
        assert len(back) == n, len(back)
        assert np.array_equal(got_time, start_ms + np.arange(n)), "times differ"
        assert np.array_equal(got_bid, bid) and np.array_equal(got_ask, ask), "prices differ"
        seen["ticks_round_trip"] = len(back)

        # The same range in columns: np.frombuffer on each array, no per-tick objects.
        chunks = list(ticks.QueryTicks(tick.QueryTicksRequest(symbol=symbol, start_time_msc=start_ms, end_time_msc=start_ms + n, columnar=True)))
        col_time = np.concatenate([np.frombuffer(c.columns.time_msc, "<i8") for c in chunks])
        col_bid = np.concatenate([np.frombuffer(c.columns.bid, "<f8") for c in chunks])
        col_ask = np.concatenate([np.frombuffer(c.columns.ask, "<f8") for c in chunks])
        assert np.array_equal(col_time, start_ms + np.arange(n)), "columnar times differ"
        assert np.array_equal(col_bid, bid) and np.array_equal(col_ask, ask), "columnar prices differ"
        assert all(list(c.columns.symbols) == [symbol] for c in chunks)
        seen["ticks_columnar_round_trip"] = int(col_time.size)

        # One RPC of every other service.
        c = cache_grpc.CacheServiceStub(channel)
        c.Set(cache.SetRequest(key=f"py:{symbol}", value=b"\x00\x01binary", ttl_ms=60_000))
        assert c.Get(cache.GetRequest(key=f"py:{symbol}")).value == b"\x00\x01binary"
        seen["cache"] = "set+get"

        u = user_grpc.UserServiceStub(channel)
        email = f"py-{uuid.uuid4().hex[:8]}@example.com"
        created = u.CreateUser(user.CreateUserRequest(email=email, password="a long python password", roles=["reader"]))
        assert created.user.email == email, created
        seen["user"] = created.user.id

        g = graph_grpc.GraphServiceStub(channel)
        ref = graph.VertexRef(kind=graph.VERTEX_KIND_INSTRUMENT, key=symbol)
        g.UpsertVertices(graph.UpsertVerticesRequest(vertices=[graph.Vertex(ref=ref)]))
        assert g.GetVertex(graph.GetVertexRequest(ref=ref)).vertex.ref.key == symbol
        seen["graph"] = "upsert+get"

        vs = vector_grpc.VectorServiceStub(channel)
        coll = f"Py{uuid.uuid4().hex[:8]}"
        vs.EnsureCollection(vector.EnsureCollectionRequest(name=coll, dimension=3, metric=vector.DISTANCE_METRIC_COSINE))
        oid = str(uuid.uuid4())
        vs.UpsertObjects(vector.UpsertObjectsRequest(collection=coll, objects=[vector.VectorObject(id=oid, vector=[1.0, 0.0, 0.0])]))
        hits = vs.SearchNearVector(vector.SearchNearVectorRequest(collection=coll, vector=[0.9, 0.1, 0.0], limit=1)).hits
        assert [h.object.id for h in hits] == [oid], hits
        seen["vectors"] = "ensure+upsert+search"

        s = stream_grpc.StreamServiceStub(channel)
        published = s.Publish(stream.PublishRequest(topic="trading_signals", messages=[stream.OutgoingMessage(key=symbol.encode(), value=b"buy")]))
        assert len(published.results) == 1, published
        seen["stream"] = "publish"

        status = ops_grpc.SchemaServiceStub(channel).GetMigrationStatus(ops.GetMigrationStatusRequest())
        assert len(status.backends) > 0, status
        report = ops_grpc.HealthReportServiceStub(channel).GetHealthReport(ops.GetHealthReportRequest())
        assert len(report.backends) > 0, report
        seen["ops"] = "migration status, health report"

        print(json.dumps({"python_client": "ok", **seen}))
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"))
