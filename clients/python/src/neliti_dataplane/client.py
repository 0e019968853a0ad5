"""Sync (grpc) and asyncio (grpc.aio) clients for the Neliti data plane, columnar on the wire."""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
from typing import TYPE_CHECKING, AsyncIterator, Iterable, Iterator, Mapping, Sequence

import grpc
import grpc.aio
import numpy as np

from neliti_dataplane import columns as _columns
from neliti_dataplane._proto.neliti.dataplane.v1 import (
    cache_pb2_grpc,
    graph_pb2_grpc,
    ops_pb2_grpc,
    stream_pb2_grpc,
    tick_pb2,
    tick_pb2_grpc,
    user_pb2,
    user_pb2_grpc,
    vector_pb2_grpc,
)

if TYPE_CHECKING:
    import pandas as pd


#: Retried on UNAVAILABLE (a replica going away, a backend failing over): the reads, which change
#: nothing, and WriteTicks, whose batch ids make a resent batch DUPLICATE instead of stored twice.
#: Everything else is left to the caller, who knows whether it may be repeated.
_RETRIED = [
    ("TickService", ["WriteTicks", "GetRecentTicks", "QueryTicks", "GetTicksAsOf", "GetCandles", "GetIndicators"]),
    ("CacheService", ["Get", "MGet", "GetLatestTick", "GetIndicatorValue", "GetPrediction"]),
    ("VectorService", ["SearchNearVector", "GetObject"]),
    ("GraphService", ["GetVertex", "Traverse", "GetStrategyDependencies"]),
]
_SERVICE_CONFIG = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{"service": f"neliti.dataplane.v1.{service}", "method": m} for service, methods in _RETRIED for m in methods],
                "retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "2s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]},
            }
        ]
    }
)
_OPTIONS = [
    ("grpc.service_config", _SERVICE_CONFIG),
    ("grpc.enable_retries", 1),
    # Columnar range chunks are megabytes.
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
]


def to_ms(t: "int | _dt.datetime | np.datetime64") -> int:
    """Milliseconds since the epoch from an int (taken as ms), a datetime (naive: UTC) or a numpy datetime."""
    if isinstance(t, (int, np.integer)):
        return int(t)
    if isinstance(t, np.datetime64):
        return int(t.astype("datetime64[ms]").astype("int64"))
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.timezone.utc)
        return int(t.timestamp() * 1000)
    raise TypeError(f"not a time: {t!r}")


def batch_id_of(cols: tick_pb2.TickColumns) -> str:
    """A batch id from the ticks themselves: the same ticks sent again are the same batch (DUPLICATE)."""
    digest = hashlib.sha256(cols.SerializeToString(deterministic=True)).hexdigest()
    return f"py-{digest[:40]}"


def _batch(data, symbol, broker, batch_id) -> tick_pb2.WriteTicksRequest:
    cols = data if isinstance(data, tick_pb2.TickColumns) else _columns.to_columns(data, symbol=symbol, broker=broker)
    return tick_pb2.WriteTicksRequest(batch=tick_pb2.TickBatch(batch_id=batch_id or batch_id_of(cols), columns=cols))


def _query(symbol, start, end, broker, chunk_size) -> tick_pb2.QueryTicksRequest:
    return tick_pb2.QueryTicksRequest(symbol=symbol, broker=broker, start_time_msc=to_ms(start), end_time_msc=to_ms(end), chunk_size=chunk_size, columnar=True)


def _replay(symbols, start, end, brokers, pace, resume_token) -> tick_pb2.ReplayTicksRequest:
    return tick_pb2.ReplayTicksRequest(symbols=list(symbols), brokers=list(brokers), start_time_msc=to_ms(start), end_time_msc=to_ms(end), pace=pace, resume_token=resume_token)


def _candles(symbol, timeframe, start, end, broker) -> tick_pb2.GetCandlesRequest:
    return tick_pb2.GetCandlesRequest(symbol=symbol, broker=broker, timeframe=timeframe, start_time_msc=to_ms(start), end_time_msc=to_ms(end))


def _rows_frame(ticks: Sequence[tick_pb2.Tick]) -> "pd.DataFrame":
    """Row-wise ticks (GetRecentTicks, SubscribeTicks) as the same frame a columnar read gives."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "symbol": [t.symbol for t in ticks],
            "broker": [t.broker for t in ticks],
            **{name: np.fromiter((getattr(t, name) for t in ticks), dtype=dtype, count=len(ticks)) for name, dtype in _columns.DTYPES.items()},
        },
        columns=list(_columns.COLUMNS),
    )
    frame.insert(0, "time", pd.to_datetime(frame["time_msc"], unit="ms", utc=True))
    return frame


def _candles_frame(candles) -> "pd.DataFrame":
    import pandas as pd

    names = ("open_time_msc", "open", "high", "low", "close", "volume", "tick_count")
    frame = pd.DataFrame({n: [getattr(c, n) for c in candles] for n in names}, columns=list(names))
    frame.insert(0, "time", pd.to_datetime(frame["open_time_msc"], unit="ms", utc=True))
    return frame


class _Stubs:
    """Every service's stub on one channel, and the call metadata (credentials)."""

    def __init__(self, channel, api_key: str | None, token: str | None) -> None:
        self.channel = channel
        self.ticks = tick_pb2_grpc.TickServiceStub(channel)
        self.users = user_pb2_grpc.UserServiceStub(channel)
        self.cache = cache_pb2_grpc.CacheServiceStub(channel)
        self.graph = graph_pb2_grpc.GraphServiceStub(channel)
        self.vectors = vector_pb2_grpc.VectorServiceStub(channel)
        self.streams = stream_pb2_grpc.StreamServiceStub(channel)
        self.schema = ops_pb2_grpc.SchemaServiceStub(channel)
        self.health_report = ops_pb2_grpc.HealthReportServiceStub(channel)
        self._api_key = api_key
        self._token = token

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        if self._token:
            return (("authorization", f"Bearer {self._token}"),)
        if self._api_key:
            return (("x-api-key", self._api_key),)
        return ()


class Client(_Stubs):
    """A blocking client: `Client("127.0.0.1:50051", api_key=...)`. The raw stubs are attributes
    (`client.ticks`, `client.cache`, ...); pass `metadata=client.metadata` to them."""

    def __init__(self, target: str = "127.0.0.1:50051", *, api_key: str | None = None, token: str | None = None, credentials: grpc.ChannelCredentials | None = None) -> None:
        channel = grpc.secure_channel(target, credentials, options=_OPTIONS) if credentials else grpc.insecure_channel(target, options=_OPTIONS)
        super().__init__(channel, api_key, token)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.channel.close()

    def login(self, email: str, password: str) -> user_pb2.Session:
        """Authenticates; later calls carry the session token."""
        session = self.users.Authenticate(user_pb2.AuthenticateRequest(email=email, password=password)).session
        self._token = session.token
        return session

    def write_ticks(self, data: "Mapping[str, object] | pd.DataFrame | tick_pb2.TickColumns", *, symbol: str | None = None, broker: str | None = None, batch_id: str | None = None, timeout: float | None = 30) -> tick_pb2.WriteTicksResponse:
        """Stores ticks (arrays, a DataFrame or TickColumns) as one batch, durable when this returns.
        The batch id defaults to a hash of the ticks, so sending the same ticks again stores nothing."""
        return self.ticks.WriteTicks(iter([_batch(data, symbol, broker, batch_id)]), metadata=self.metadata, timeout=timeout)

    def query_ticks_arrays(self, symbol: str, start, end, *, broker: str = "", chunk_size: int = 0) -> dict[str, np.ndarray]:
        """The ticks of [start, end) as one numpy array per column, oldest first."""
        chunks = self.ticks.QueryTicks(_query(symbol, start, end, broker, chunk_size), metadata=self.metadata)
        return _columns.to_arrays(c.columns for c in chunks)

    def query_ticks(self, symbol: str, start, end, *, broker: str = "", chunk_size: int = 0) -> "pd.DataFrame":
        """The ticks of [start, end) as a DataFrame, oldest first."""
        chunks = self.ticks.QueryTicks(_query(symbol, start, end, broker, chunk_size), metadata=self.metadata)
        return _columns.to_frame(c.columns for c in chunks)

    def replay_ticks(self, symbols: Iterable[str], start, end, *, brokers: Iterable[str] = (), pace: float = 0, resume_token: str = "") -> Iterator[tuple["pd.DataFrame", str]]:
        """Several series merged in time order, chunk by chunk, each with the token to resume after it."""
        request = _replay(symbols, start, end, brokers, pace, resume_token)
        for chunk in self.ticks.ReplayTicks(request, metadata=self.metadata):
            yield _columns.to_frame([chunk.columns]), chunk.resume_token

    def recent_ticks(self, symbol: str, limit: int = 100, *, broker: str = "") -> "pd.DataFrame":
        """The newest ticks of a symbol, newest first."""
        return _rows_frame(self.ticks.GetRecentTicks(tick_pb2.GetRecentTicksRequest(symbol=symbol, broker=broker, limit=limit), metadata=self.metadata).ticks)

    def candles(self, symbol: str, timeframe: int, start, end, *, broker: str = "") -> "pd.DataFrame":
        """OHLCV bars (timeframe: tick_pb2.TIMEFRAME_M1 and so on) of [start, end)."""
        request = _candles(symbol, timeframe, start, end, broker)
        return _candles_frame(self.ticks.GetCandles(request, metadata=self.metadata).candles)

    def subscribe_ticks(self, symbols: Iterable[str], *, broker: str = "") -> Iterator["pd.DataFrame"]:
        """Live ticks, a DataFrame per message, until the iterator is closed."""
        call = self.ticks.SubscribeTicks(tick_pb2.SubscribeTicksRequest(symbols=list(symbols), broker=broker), metadata=self.metadata)
        try:
            for message in call:
                yield _rows_frame(message.ticks)
        finally:
            call.cancel()

    def subscribe_candles(self, symbols: Iterable[str], timeframe: int, *, broker: str = "") -> Iterator[tick_pb2.SubscribeCandlesResponse]:
        """Live bars: each series' forming bar as it changes and once more when it closes."""
        call = self.ticks.SubscribeCandles(tick_pb2.SubscribeCandlesRequest(symbols=list(symbols), broker=broker, timeframe=timeframe), metadata=self.metadata)
        try:
            yield from call
        finally:
            call.cancel()


class AsyncClient(_Stubs):
    """The same client for asyncio (grpc.aio): `async with AsyncClient(...) as client`."""

    def __init__(self, target: str = "127.0.0.1:50051", *, api_key: str | None = None, token: str | None = None, credentials: grpc.ChannelCredentials | None = None) -> None:
        channel = grpc.aio.secure_channel(target, credentials, options=_OPTIONS) if credentials else grpc.aio.insecure_channel(target, options=_OPTIONS)
        super().__init__(channel, api_key, token)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self.channel.close()

    async def login(self, email: str, password: str) -> user_pb2.Session:
        session = (await self.users.Authenticate(user_pb2.AuthenticateRequest(email=email, password=password))).session
        self._token = session.token
        return session

    async def write_ticks(self, data, *, symbol: str | None = None, broker: str | None = None, batch_id: str | None = None, timeout: float | None = 30) -> tick_pb2.WriteTicksResponse:
        return await self.ticks.WriteTicks(iter([_batch(data, symbol, broker, batch_id)]), metadata=self.metadata, timeout=timeout)

    async def query_ticks_arrays(self, symbol: str, start, end, *, broker: str = "", chunk_size: int = 0) -> dict[str, np.ndarray]:
        chunks = [c.columns async for c in self.ticks.QueryTicks(_query(symbol, start, end, broker, chunk_size), metadata=self.metadata)]
        return _columns.to_arrays(chunks)

    async def query_ticks(self, symbol: str, start, end, *, broker: str = "", chunk_size: int = 0) -> "pd.DataFrame":
        chunks = [c.columns async for c in self.ticks.QueryTicks(_query(symbol, start, end, broker, chunk_size), metadata=self.metadata)]
        return _columns.to_frame(chunks)

    async def replay_ticks(self, symbols: Iterable[str], start, end, *, brokers: Iterable[str] = (), pace: float = 0, resume_token: str = "") -> AsyncIterator[tuple["pd.DataFrame", str]]:
        request = _replay(symbols, start, end, brokers, pace, resume_token)
        async for chunk in self.ticks.ReplayTicks(request, metadata=self.metadata):
            yield _columns.to_frame([chunk.columns]), chunk.resume_token

    async def recent_ticks(self, symbol: str, limit: int = 100, *, broker: str = "") -> "pd.DataFrame":
        return _rows_frame((await self.ticks.GetRecentTicks(tick_pb2.GetRecentTicksRequest(symbol=symbol, broker=broker, limit=limit), metadata=self.metadata)).ticks)

    async def candles(self, symbol: str, timeframe: int, start, end, *, broker: str = "") -> "pd.DataFrame":
        request = _candles(symbol, timeframe, start, end, broker)
        return _candles_frame((await self.ticks.GetCandles(request, metadata=self.metadata)).candles)

    async def subscribe_ticks(self, symbols: Iterable[str], *, broker: str = "") -> AsyncIterator["pd.DataFrame"]:
        call = self.ticks.SubscribeTicks(tick_pb2.SubscribeTicksRequest(symbols=list(symbols), broker=broker), metadata=self.metadata)
        try:
            async for message in call:
                yield _rows_frame(message.ticks)
        finally:
            call.cancel()

    async def subscribe_candles(self, symbols: Iterable[str], timeframe: int, *, broker: str = "") -> AsyncIterator[tick_pb2.SubscribeCandlesResponse]:
        call = self.ticks.SubscribeCandles(tick_pb2.SubscribeCandlesRequest(symbols=list(symbols), broker=broker, timeframe=timeframe), metadata=self.metadata)
        try:
            async for message in call:
                yield message
        finally:
            call.cancel()
