"""Ticks as columns: numpy arrays (or a pandas DataFrame) <-> the wire's TickColumns.

TickColumns carries each column as one little-endian array in a bytes field, with symbols and
brokers as dictionaries, so a batch costs one tobytes() per column to send and one frombuffer per
column to read: no Python object per tick either way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

import numpy as np

from neliti_dataplane._proto.neliti.dataplane.v1 import tick_pb2

if TYPE_CHECKING:
    import pandas as pd

#: Column name -> little-endian dtype on the wire.
DTYPES = {
    "time_msc": "<i8",
    "bid": "<f8",
    "ask": "<f8",
    "last": "<f8",
    "volume": "<f8",
    "flags": "<u4",
    "account_type": "u1",
}
#: The columns a frame returned by this package has, in order.
COLUMNS = ("symbol", "broker", *DTYPES)


def _dictionary(values: np.ndarray) -> tuple[list[str], np.ndarray]:
    names, index = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return [str(n) for n in names], index.astype("<u4")


def to_columns(data: "Mapping[str, object] | pd.DataFrame", *, symbol: str | None = None, broker: str | None = None, account_type: int = tick_pb2.ACCOUNT_TYPE_REAL) -> tick_pb2.TickColumns:
    """Builds TickColumns from arrays or a DataFrame with at least time_msc, bid and ask.

    symbol and broker name the series when the data has no such column; last and volume default
    to 0, flags to 6 (bid and ask changed), account_type to REAL.
    """
    get = data.__getitem__
    has = (lambda name: name in data.columns) if hasattr(data, "columns") else (lambda name: name in data)  # type: ignore[union-attr]
    time_msc = np.asarray(get("time_msc"))
    if np.issubdtype(time_msc.dtype, np.datetime64):
        time_msc = time_msc.astype("datetime64[ms]").astype("<i8")
    n = len(time_msc)

    def column(name: str, default: float) -> bytes:
        values = np.asarray(get(name)) if has(name) else np.full(n, default)
        if len(values) != n:
            raise ValueError(f"column {name} has {len(values)} values, time_msc has {n}")
        return np.ascontiguousarray(values, dtype=DTYPES[name]).tobytes()

    def names(name: str, given: str | None) -> tuple[list[str], bytes]:
        if has(name):
            dictionary, index = _dictionary(np.asarray(get(name)))
            return dictionary, index.tobytes()
        if given is None:
            raise ValueError(f"no {name} column: pass {name}=")
        return [given], np.zeros(n, "<u4").tobytes()

    symbols, symbol_index = names("symbol", symbol)
    brokers, broker_index = names("broker", broker)
    return tick_pb2.TickColumns(
        symbols=symbols,
        brokers=brokers,
        symbol_index=symbol_index,
        broker_index=broker_index,
        account_type=column("account_type", account_type),
        time_msc=column("time_msc", 0),
        bid=column("bid", 0),
        ask=column("ask", 0),
        last=column("last", 0),
        volume=column("volume", 0),
        flags=column("flags", 6),
    )


def _numeric(chunks: list[tick_pb2.TickColumns]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([np.frombuffer(getattr(c, name), dtype=dtype) for c in chunks]) if chunks else np.empty(0, dtype) for name, dtype in DTYPES.items()}


def _codes(chunks: list[tick_pb2.TickColumns], names: str, index: str) -> tuple[list[str], np.ndarray]:
    """One dictionary for all chunks (each chunk has its own) and every tick's code in it."""
    categories: dict[str, int] = {}
    parts = []
    for c in chunks:
        dictionary = getattr(c, names)
        remap = np.fromiter((categories.setdefault(n, len(categories)) for n in dictionary), dtype="<u4", count=len(dictionary))
        codes = np.frombuffer(getattr(c, index), "<u4")
        parts.append(remap[codes] if len(remap) else codes)
    return list(categories), (np.concatenate(parts) if parts else np.empty(0, "<u4"))


def to_arrays(chunks: Iterable[tick_pb2.TickColumns]) -> dict[str, np.ndarray]:
    """Joins TickColumns chunks into one array per column (symbol and broker as string arrays)."""
    chunks = list(chunks)
    out: dict[str, np.ndarray] = {}
    for column, names, index in (("symbol", "symbols", "symbol_index"), ("broker", "brokers", "broker_index")):
        categories, codes = _codes(chunks, names, index)
        out[column] = np.asarray(categories, dtype=object)[codes] if categories else np.empty(len(codes), object)
    out.update(_numeric(chunks))
    return out


def to_frame(chunks: Iterable[tick_pb2.TickColumns]) -> "pd.DataFrame":
    """Joins TickColumns chunks into a DataFrame with a `time` column (UTC) beside time_msc; symbol
    and broker are categoricals built from the wire's own dictionaries (no string per tick)."""
    import pandas as pd

    chunks = list(chunks)
    data: dict[str, object] = {}
    for column, names, index in (("symbol", "symbols", "symbol_index"), ("broker", "brokers", "broker_index")):
        categories, codes = _codes(chunks, names, index)
        data[column] = pd.Categorical.from_codes(codes.astype("int32"), categories=categories) if categories else pd.Categorical([])
    numeric = _numeric(chunks)
    data.update(numeric)
    frame = pd.DataFrame(data, columns=list(COLUMNS), copy=False)
    frame.insert(0, "time", pd.to_datetime(numeric["time_msc"], unit="ms", utc=True))
    return frame
