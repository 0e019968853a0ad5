"""Appends n ticks to the stand-in terminal's history of a symbol (mt5_standin.py), continuing from
its last tick (or from START_MS): steps of 0-250 ms, so many ticks share a millisecond and some
share one across a 250 ms bucket's edge; every tick distinct by its bid.

    python mt5_feed.py DIR SYMBOL N START_MS SEED
"""
import os
import sys

import numpy as np

from mt5_standin import TICK_DTYPE


def main(directory: str, symbol: str, n: int, start_ms: int, seed: int) -> None:
    path = os.path.join(directory, f"{symbol}.npy")
    history = np.load(path) if os.path.exists(path) else np.empty(0, TICK_DTYPE)
    rng = np.random.default_rng(seed)
    steps = rng.choice([0, 0, 1, 7, 50, 249, 250], size=n)
    first = int(history["time_msc"][-1]) if len(history) else start_ms
    time_msc = first + np.cumsum(steps)
    k = len(history) + np.arange(n)
    ticks = np.zeros(n, TICK_DTYPE)
    ticks["time_msc"] = time_msc
    ticks["time"] = time_msc // 1000
    ticks["bid"] = np.round(1.1 + k * 1e-5, 5)
    ticks["ask"] = ticks["bid"] + 1e-4
    ticks["volume_real"] = 1.0
    ticks["flags"] = 6
    tmp = f"{path}.tmp.npy"
    np.save(tmp, np.concatenate([history, ticks]))
    os.replace(tmp, path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
