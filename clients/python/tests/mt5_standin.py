"""A stand-in for the MetaTrader5 package (which runs only on Windows beside a terminal): the
functions, constants and tick dtype the bridge uses, with the terminal's history read from
.npy files a test writes ($MT5_STANDIN_DIR/<symbol>.npy, replaced whole) and the connection
dropped while $MT5_STANDIN_DIR/disconnected exists. test_mt5_standin.py holds it to the
package's published type stubs (metatrader5-stubs)."""
from __future__ import annotations

import datetime as _dt
import os

import numpy as np

COPY_TICKS_ALL = -1
COPY_TICKS_INFO = 1
COPY_TICKS_TRADE = 2
TICK_FLAG_BID = 0x02
TICK_FLAG_ASK = 0x04
TICK_FLAG_LAST = 0x08
TICK_FLAG_VOLUME = 0x10
TICK_FLAG_BUY = 0x20
TICK_FLAG_SELL = 0x40

#: The structured dtype copy_ticks_from returns, in the real package's field order.
TICK_DTYPE = np.dtype([("time", "<i8"), ("bid", "<f8"), ("ask", "<f8"), ("last", "<f8"), ("volume", "<u8"), ("time_msc", "<i8"), ("flags", "<u4"), ("volume_real", "<f8")])

_SUCCESS = (1, "Success")
_NO_IPC = (-10004, "No IPC connection")
_last_error = _SUCCESS


def _dir() -> str:
    return os.environ["MT5_STANDIN_DIR"]


def _connected() -> bool:
    return not os.path.exists(os.path.join(_dir(), "disconnected"))


def _fail() -> None:
    global _last_error
    _last_error = _NO_IPC


def initialize(path: str = "", *, login: int = 0, password: str = "", server: str = "", timeout: int = 60_000, portable: bool = False) -> bool:
    global _last_error
    if not _connected():
        _fail()
        return False
    _last_error = _SUCCESS
    return True


def shutdown() -> None:
    return None


def last_error() -> tuple[int, str]:
    return _last_error


def symbol_select(symbol: str, enable: bool = True) -> bool:
    return os.path.exists(os.path.join(_dir(), f"{symbol}.npy"))


def _seconds(t) -> int:
    return int(t.timestamp()) if isinstance(t, _dt.datetime) else int(t)


def _history(symbol: str) -> np.ndarray | None:
    if not _connected():
        _fail()
        return None
    try:
        return np.load(os.path.join(_dir(), f"{symbol}.npy"))
    except FileNotFoundError:
        return np.empty(0, TICK_DTYPE)


def copy_ticks_from(symbol: str, date_from, count: int, flags: int) -> np.ndarray | None:
    ticks = _history(symbol)
    if ticks is None:
        return None
    return ticks[ticks["time_msc"] >= _seconds(date_from) * 1000][:count]


def copy_ticks_range(symbol: str, date_from, date_to, flags: int) -> np.ndarray | None:
    ticks = _history(symbol)
    if ticks is None:
        return None
    t = ticks["time_msc"]
    return ticks[(t >= _seconds(date_from) * 1000) & (t < _seconds(date_to) * 1000)]
