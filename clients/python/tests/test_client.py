"""The package against a running server (NELITI_ADDR; NELITI_EMAIL and NELITI_PASSWORD of a user
who may write ticks). test/e2e/python-package.test.ts installs the package with pip and runs these."""
import asyncio
import os
import threading
import time
import uuid

import grpc
import numpy as np
import pandas as pd
import pytest

from neliti_dataplane import AsyncClient, Client, batch_id_of, tick_pb2, to_columns

ADDR = os.environ.get("NELITI_ADDR")
pytestmark = pytest.mark.skipif(not ADDR, reason="NELITI_ADDR is not set: run through test/e2e/python-package.test.ts")


@pytest.fixture
def client():
    with Client(ADDR) as c:
        c.login(os.environ["NELITI_EMAIL"], os.environ["NELITI_PASSWORD"])
        yield c


def frame_of(n: int, start_ms: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    bid = np.round(1.08 + np.cumsum(rng.normal(0, 1e-5, n)), 5)
    return pd.DataFrame({"time_msc": start_ms + np.arange(n, dtype="int64"), "bid": bid, "ask": bid + 1e-4, "volume": np.ones(n)})


def symbol() -> str:
    return f"PY{uuid.uuid4().hex[:8].upper()}"


def test_without_credentials_is_unauthenticated():
    with Client(ADDR) as anonymous, pytest.raises(grpc.RpcError) as err:
        anonymous.recent_ticks("EURUSD")
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_writes_a_frame_once_and_reads_it_back_exact(client):
    s, t0 = symbol(), int(time.time() * 1000) - 60_000
    sent = frame_of(5_000, t0)
    first = client.write_ticks(sent, symbol=s, broker="ICMarkets")
    assert (first.durable_ticks, first.duplicate_batches) == (5_000, 0)
    # The same ticks again: the same batch id (a hash of the ticks), so nothing is stored twice.
    again = client.write_ticks(sent, symbol=s, broker="ICMarkets")
    assert (again.durable_ticks, again.duplicate_batches) == (0, 1)

    read = client.query_ticks(s, t0, t0 + 5_000, chunk_size=1_000)
    assert len(read) == 5_000
    assert (read["symbol"] == s).all() and (read["broker"] == "ICMarkets").all()
    np.testing.assert_array_equal(read["time_msc"].to_numpy(), sent["time_msc"].to_numpy())
    np.testing.assert_array_equal(read["bid"].to_numpy(), sent["bid"].to_numpy())
    np.testing.assert_array_equal(read["ask"].to_numpy(), sent["ask"].to_numpy())
    assert read["time"].iloc[0] == pd.Timestamp(t0, unit="ms", tz="UTC")

    arrays = client.query_ticks_arrays(s, t0, t0 + 5_000)
    assert arrays["bid"].dtype == np.dtype("<f8")
    np.testing.assert_array_equal(arrays["bid"], sent["bid"].to_numpy())


def test_batch_ids_follow_the_ticks():
    a = to_columns(frame_of(10, 1_000), symbol="X", broker="B")
    assert batch_id_of(a) == batch_id_of(to_columns(frame_of(10, 1_000), symbol="X", broker="B"))
    assert batch_id_of(a) != batch_id_of(to_columns(frame_of(10, 1_001), symbol="X", broker="B"))


def test_replays_series_merged_with_resume_tokens(client):
    a, b, t0 = symbol(), symbol(), int(time.time() * 1000) - 120_000
    client.write_ticks(frame_of(300, t0, seed=1), symbol=a, broker="ICMarkets")
    client.write_ticks(frame_of(300, t0, seed=2), symbol=b, broker="ICMarkets")
    parts = list(client.replay_ticks([a, b], t0, t0 + 300))
    merged = pd.concat([frame for frame, _ in parts])
    assert len(merged) == 600
    assert merged["time_msc"].is_monotonic_increasing
    assert set(merged["symbol"]) == {a, b}
    assert all(token for _, token in parts)


def test_recent_ticks_and_candles(client):
    s, t0 = symbol(), int(time.time() * 1000) - 180_000
    client.write_ticks(frame_of(180, t0).assign(time_msc=t0 + np.arange(180) * 1_000), symbol=s, broker="ICMarkets")
    recent = client.recent_ticks(s, 10)
    assert len(recent) == 10 and recent["time_msc"].is_monotonic_decreasing
    candles = client.candles(s, tick_pb2.TIMEFRAME_M1, t0, t0 + 180_000)
    assert candles["tick_count"].sum() == 180
    assert len(candles) in (3, 4)


def test_subscribes_to_live_ticks(client):
    s = symbol()
    live = client.subscribe_ticks([s])
    got = []
    reader = threading.Thread(target=lambda: got.append(next(live)))
    reader.start()
    # A subscription is live once the call is open: write until the reader has a message.
    deadline = time.time() + 20
    while reader.is_alive() and time.time() < deadline:
        client.write_ticks(frame_of(3, int(time.time() * 1000)), symbol=s, broker="ICMarkets")
        reader.join(0.2)
    live.close()
    assert got and (got[0]["symbol"] == s).all()


def test_asyncio_client_writes_reads_and_follows():
    async def main():
        async with AsyncClient(ADDR) as c:
            await c.login(os.environ["NELITI_EMAIL"], os.environ["NELITI_PASSWORD"])
            s, t0 = symbol(), int(time.time() * 1000) - 60_000
            sent = frame_of(1_000, t0)
            assert (await c.write_ticks(sent, symbol=s, broker="ICMarkets")).durable_ticks == 1_000
            read = await c.query_ticks(s, t0, t0 + 1_000)
            np.testing.assert_array_equal(read["bid"].to_numpy(), sent["bid"].to_numpy())
            replayed = [frame async for frame, _ in c.replay_ticks([s], t0, t0 + 1_000)]
            assert sum(len(f) for f in replayed) == 1_000
            live = c.subscribe_ticks([s])
            first = asyncio.ensure_future(live.__anext__())
            while not first.done():
                await c.write_ticks(frame_of(2, int(time.time() * 1000)), symbol=s, broker="ICMarkets")
                await asyncio.wait([first], timeout=0.2)
            frame = first.result()
            await live.aclose()
            assert (frame["symbol"] == s).all()

    asyncio.run(asyncio.wait_for(main(), 30))
