"""The bridge's batching against the stand-in terminal, without a server: aligned buckets, the same
batches from the same cursor (so a resend is a DUPLICATE), late ticks of the cursor's millisecond."""
import os

import numpy as np
import pytest

import mt5_feed
import mt5_standin
from neliti_dataplane.mt5_bridge import Bridge
from mt5_standin import TICK_DTYPE


@pytest.fixture
def terminal(tmp_path, monkeypatch):
    monkeypatch.setenv("MT5_STANDIN_DIR", str(tmp_path))
    return tmp_path


def bridge(terminal, since: int) -> Bridge:
    return Bridge(mt5_standin, client=None, symbols=["EURUSD"], broker="B", state_path=str(terminal / "state.json"), since_ms=since, bucket_ms=250, settle_ms=0)


def times(batch) -> np.ndarray:
    return np.frombuffer(batch.request.batch.columns.time_msc, "<i8")


def test_batches_are_whole_aligned_buckets_and_repeat_exactly(terminal):
    mt5_feed.main(str(terminal), "EURUSD", 2_000, 1_700_000_000_000, 1)
    b = bridge(terminal, 1_700_000_000_000)
    first = b.complete_batches("EURUSD", b.cursor["EURUSD"])
    assert sum(len(times(x)) for x in first) == 2_000
    for x in first:
        t = times(x)
        assert len(set(t // 250)) == 1  # one bucket a batch, so no millisecond is split
    again = bridge(terminal, 1_700_000_000_000).complete_batches("EURUSD", b.cursor["EURUSD"])
    assert [x.request.batch.batch_id for x in again] == [x.request.batch.batch_id for x in first]


def test_a_late_tick_of_the_cursors_millisecond_is_sent_once(terminal):
    ticks = np.zeros(3, TICK_DTYPE)
    ticks["time_msc"] = [1_000, 1_100, 1_100]
    ticks["bid"], ticks["ask"] = [1.0, 1.1, 1.2], [1.01, 1.11, 1.21]
    np.save(os.path.join(terminal, "EURUSD.npy"), ticks)
    b = bridge(terminal, 0)
    [batch] = b.complete_batches("EURUSD", b.cursor["EURUSD"])
    assert batch.last == (1_100, 2)
    late = np.zeros(1, TICK_DTYPE)
    late["time_msc"], late["bid"], late["ask"] = 1_100, 1.3, 1.31
    np.save(os.path.join(terminal, "EURUSD.npy"), np.concatenate([ticks, late]))
    [next_batch] = b.complete_batches("EURUSD", batch.last)
    assert list(np.frombuffer(next_batch.request.batch.columns.bid, "<f8")) == [1.3]
    assert next_batch.last == (1_100, 3)


def test_a_dropped_terminal_is_reported(terminal):
    mt5_feed.main(str(terminal), "EURUSD", 10, 1_000, 1)
    (terminal / "disconnected").touch()
    b = bridge(terminal, 0)
    with pytest.raises(Exception) as err:
        b.complete_batches("EURUSD", b.cursor["EURUSD"])
    assert type(err.value).__name__ == "TerminalLost"
    assert mt5_standin.last_error()[0] == -10004
