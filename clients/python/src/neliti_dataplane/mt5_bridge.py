"""neliti-mt5-bridge: a MetaTrader 5 terminal's ticks into the data plane, each stored once.

    neliti-mt5-bridge --server 127.0.0.1:50051 --symbols EURUSD,GBPUSD --broker FBS-Demo

It reads ticks from the terminal with the official MetaTrader5 package (Windows, beside a
terminal) and streams them over IngestTicks as columnar batches, a window of them in flight.

Nothing missed, nothing twice, across bridge restarts, terminal disconnects and service restarts:
- Each symbol's cursor is the newest tick time (time_msc) the service has acknowledged and how
  many ticks of that millisecond it has (a tick can arrive after others of its millisecond were
  sent), kept in a state file. Every (re)start reads the terminal from the cursor (MT5 keeps the history), so a gap
  of any length is caught up.
- Batches are fixed time buckets (`--bucket-ms`, aligned to the epoch): a bucket's batch holds its
  ticks after the cursor, and is sent once the bucket is complete (a later tick exists, or the
  symbol has been quiet for `--settle-ms`). Ticks sharing a millisecond are never split between
  batches. Its batch id is derived from the ticks (broker, symbol, first and last time_msc,
  count, a hash of the columns), so a batch read again after a crash is the same batch, and the
  service answers it DUPLICATE instead of storing it twice.
- Memory is bounded: the terminal is read only while the window has room; while the service is
  away the bridge waits (honouring `retry-after-ms`) instead of buffering.
"""
from __future__ import annotations

import argparse
import collections
import datetime as _dt
import hashlib
import importlib
import json
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass

import grpc
import numpy as np

from neliti_dataplane.client import Client
from neliti_dataplane.columns import to_columns
from neliti_dataplane._proto.neliti.dataplane.v1 import tick_pb2

STORED = {tick_pb2.ACK_STATE_DURABLE, tick_pb2.ACK_STATE_SPOOLED, tick_pb2.ACK_STATE_DUPLICATE}
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}


class TerminalLost(Exception):
    """The terminal did not answer (copy_ticks_from gave None); last_error() says why."""


#: (time_msc, ticks of that millisecond included): where a symbol's acknowledged ticks end.
Cursor = tuple[int, int]


@dataclass
class Batch:
    symbol: str
    last: Cursor
    request: tick_pb2.IngestTicksRequest


def log(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), file=sys.stderr, flush=True)


class Bridge:
    def __init__(self, mt5, client: Client, symbols: list[str], broker: str, *, state_path: str, since_ms: int, bucket_ms: int = 250, settle_ms: int = 1000, window: int = 8, max_ticks: int = 100_000, account_type: int = tick_pb2.ACCOUNT_TYPE_REAL) -> None:
        self.mt5, self.client, self.symbols, self.broker = mt5, client, symbols, broker
        self.state_path, self.bucket_ms, self.settle_ms, self.window, self.max_ticks, self.account_type = state_path, bucket_ms, settle_ms, window, max_ticks, account_type
        saved = self._load_state()
        # Without a saved cursor: from the bucket holding `since`, so a first run that is repeated
        # cuts the same batches.
        start = ((since_ms // bucket_ms) * bucket_ms - 1, 0)
        self.cursor: dict[str, Cursor] = {s: tuple(saved.get(s, start)) for s in symbols}  # type: ignore[misc]
        self._seen: dict[str, tuple[int, int]] = {}
        self._changed_at: dict[str, float] = {}
        self.stop = threading.Event()

    # ---- state: the acknowledged cursors, replaced whole on each ack
    def _load_state(self) -> dict[str, list[int]]:
        try:
            with open(self.state_path) as f:
                return json.load(f)["cursors"]
        except FileNotFoundError:
            return {}

    def _save_state(self) -> None:
        tmp = f"{self.state_path}.tmp"
        with open(tmp, "w") as f:
            json.dump({"broker": self.broker, "cursors": {s: list(c) for s, c in self.cursor.items()}}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_path)

    # ---- the terminal
    def connect_terminal(self) -> None:
        while not self.stop.is_set():
            if self.mt5.initialize():
                for s in self.symbols:
                    self.mt5.symbol_select(s, True)
                return
            log("terminal_unavailable", error=list(self.mt5.last_error()))
            self.stop.wait(1.0)

    def complete_batches(self, symbol: str, after: Cursor) -> list[Batch]:
        """The batches of complete buckets after the cursor `after`, oldest first."""
        after_ms, included = after
        ticks = self.mt5.copy_ticks_from(symbol, _dt.datetime.fromtimestamp(after_ms // 1000, _dt.timezone.utc), self.max_ticks, self.mt5.COPY_TICKS_ALL)
        if ticks is None:
            raise TerminalLost(self.mt5.last_error())
        truncated = len(ticks) >= self.max_ticks
        t = ticks["time_msc"]
        keep = t > after_ms
        keep[np.flatnonzero(t == after_ms)[included:]] = True  # the cursor's millisecond: its late ticks
        ticks = ticks[keep]
        if len(ticks) == 0:
            return []
        now = time.monotonic()
        seen = (len(ticks), int(ticks["time_msc"][-1]))
        if self._seen.get(symbol) != seen:
            self._seen[symbol], self._changed_at[symbol] = seen, now
        buckets = ticks["time_msc"] // self.bucket_ms
        newest = int(buckets[-1])
        quiet = not truncated and now - self._changed_at[symbol] >= self.settle_ms / 1000
        last_complete = newest if quiet else newest - 1
        batches = []
        for b in np.unique(buckets[buckets <= last_complete]):
            batch = self._batch(symbol, ticks[buckets == b], after)
            batches.append(batch)
            after = batch.last
        return batches

    def _batch(self, symbol: str, ticks: np.ndarray, after: Cursor) -> Batch:
        n = len(ticks)
        # MT5 gives volume in lots as volume_real (0 where the broker sends none) beside an integer volume.
        volume = np.where(ticks["volume_real"] > 0, ticks["volume_real"], ticks["volume"].astype("<f8"))
        columns = to_columns({name: ticks[name] for name in ("time_msc", "bid", "ask", "last", "flags")} | {"volume": volume}, symbol=symbol, broker=self.broker, account_type=self.account_type)
        first, last = int(ticks["time_msc"][0]), int(ticks["time_msc"][-1])
        digest = hashlib.sha256(columns.SerializeToString(deterministic=True)).hexdigest()[:16]
        batch_id = f"mt5:{self.broker}:{symbol}:{first}:{last}:{n}:{digest}"
        at_last = int(np.count_nonzero(ticks["time_msc"] == last)) + (after[1] if last == after[0] else 0)
        return Batch(symbol, (last, at_last), tick_pb2.IngestTicksRequest(batch=tick_pb2.TickBatch(batch_id=batch_id, columns=columns)))

    # ---- the service
    def run(self) -> None:
        self.connect_terminal()
        backoff = 0.2
        while not self.stop.is_set():
            try:
                self._session()
                backoff = 0.2
            except TerminalLost as lost:
                log("terminal_lost", error=list(lost.args[0]) if lost.args and lost.args[0] else None)
                self.connect_terminal()
            except grpc.RpcError as err:
                if err.code() not in RETRYABLE:
                    raise
                wait = _retry_after(err) or backoff
                log("service_unavailable", code=err.code().name, wait_s=round(wait, 3))
                self.stop.wait(wait)
                backoff = min(backoff * 2, 5.0)

    def _session(self) -> None:
        """One IngestTicks stream: batches out while the window has room, acks in, in order."""
        outgoing: queue.Queue = queue.Queue()
        acks: queue.Queue = queue.Queue()

        def requests():
            while True:
                item = outgoing.get()
                if item is None:
                    return
                yield item

        call = self.client.ticks.IngestTicks(requests(), metadata=self.client.metadata)

        def read():
            try:
                for ack in call:
                    acks.put(ack)
                acks.put(None)
            except grpc.RpcError as err:
                acks.put(err)

        threading.Thread(target=read, daemon=True).start()
        inflight: collections.deque[Batch] = collections.deque()
        sent = dict(self.cursor)
        try:
            while not self.stop.is_set():
                for symbol in self.symbols:
                    if len(inflight) >= self.window:
                        break
                    for batch in self.complete_batches(symbol, sent[symbol])[: self.window - len(inflight)]:
                        outgoing.put(batch.request)
                        inflight.append(batch)
                        sent[symbol] = batch.last
                try:
                    item = acks.get(timeout=0.05)
                except queue.Empty:
                    continue
                while item is not None:
                    if isinstance(item, grpc.RpcError):
                        raise item
                    self._acknowledged(inflight.popleft(), item)
                    try:
                        item = acks.get_nowait()
                    except queue.Empty:
                        break
                else:
                    return  # the server ended the stream: start another
        finally:
            outgoing.put(None)
            call.cancel()

    def _acknowledged(self, batch: Batch, ack) -> None:
        if ack.batch_id != batch.request.batch.batch_id:
            raise RuntimeError(f"ack for {ack.batch_id}, expected {batch.request.batch.batch_id}")
        if ack.state not in STORED:
            # Invalid ticks would be refused again on every resend: logged and passed over.
            log("rejected", batch_id=ack.batch_id, violations=[f"{v.field}: {v.description}" for v in ack.violations])
        self.cursor[batch.symbol] = batch.last
        self._save_state()
        log("ack", batch_id=ack.batch_id, state=tick_pb2.AckState.Name(ack.state), cursor=list(batch.last))


def _retry_after(err: grpc.RpcError) -> float | None:
    for key, value in err.trailing_metadata() or ():
        if key == "retry-after-ms":
            return int(value) / 1000
    return None


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="neliti-mt5-bridge", description=__doc__.split("\n\n")[0])
    p.add_argument("--server", default="127.0.0.1:50051")
    p.add_argument("--symbols", required=True, help="comma-separated, e.g. EURUSD,GBPUSD")
    p.add_argument("--broker", required=True)
    p.add_argument("--api-key", default=os.environ.get("NELITI_API_KEY"))
    p.add_argument("--state", default="neliti-mt5-bridge.json", help="where the acknowledged cursors are kept")
    p.add_argument("--since", type=int, default=None, help="time_msc to start from when there is no state (default: an hour ago)")
    p.add_argument("--bucket-ms", type=int, default=250)
    p.add_argument("--settle-ms", type=int, default=1000)
    p.add_argument("--window", type=int, default=8)
    p.add_argument("--account-type", choices=["real", "demo", "contest"], default="real")
    p.add_argument("--mt5-module", default="MetaTrader5", help="the terminal API module (a stand-in in tests)")
    args = p.parse_args(argv)
    mt5 = importlib.import_module(args.mt5_module)
    since = args.since if args.since is not None else int(time.time() * 1000) - 3_600_000
    account = {"real": tick_pb2.ACCOUNT_TYPE_REAL, "demo": tick_pb2.ACCOUNT_TYPE_DEMO, "contest": tick_pb2.ACCOUNT_TYPE_CONTEST}[args.account_type]
    with Client(args.server, api_key=args.api_key) as client:
        bridge = Bridge(mt5, client, [s.strip() for s in args.symbols.split(",") if s.strip()], args.broker, state_path=args.state, since_ms=since, bucket_ms=args.bucket_ms, settle_ms=args.settle_ms, window=args.window, account_type=account)
        signal.signal(signal.SIGTERM, lambda *_: bridge.stop.set())
        log("started", symbols=bridge.symbols, cursors=bridge.cursor)
        bridge.run()
        mt5.shutdown()


if __name__ == "__main__":
    main()
