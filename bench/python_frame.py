"""The Python client's range read into a DataFrame against a direct read of the same ticks from
ClickHouse into numpy (bench `python-frame`, run by bench/python-frame.ts).

    python bench/python_frame.py ADDR CLICKHOUSE_URL SYMBOL START_MS END_MS ROUNDS

The direct reads use ClickHouse's HTTP interface: Native (what the service reads; each column
contiguous, one frombuffer a column and a block), RowBinary (the fixed-width columns are a packed
record, one frombuffer), and clickhouse-connect's query_np when it can talk to the server (1.12 cannot to ClickHouse 18.16: it asks system.settings for a
`readonly` column that server lacks). Rounds alternate the reads; one JSON line of the medians.
"""
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

import numpy as np

from neliti_dataplane import Client

ROW = np.dtype([("account_type", "u1"), ("ts", "<i8"), ("bid", "<f8"), ("ask", "<f8"), ("last", "<f8"), ("volume", "<f8"), ("flags", "<u4")])


def clickhouse_read(ch_url: str, symbol: str, start: int, end: int, fmt: str) -> bytes:
    """The fixed-width tick columns of [start, end) over ClickHouse's HTTP interface, in `fmt`."""
    u = urllib.parse.urlparse(ch_url)
    # ClickHouse 18.16 has no query parameters: the symbol goes in as a quoted literal.
    quoted = "'" + symbol.replace("\\", "\\\\").replace("'", "\\'") + "'"
    sql = f"SELECT account_type, ts, bid, ask, last, volume, flags FROM ticks WHERE symbol = {quoted} AND ts >= {int(start)} AND ts < {int(end)} ORDER BY ts FORMAT {fmt}"
    query = urllib.parse.urlencode({"database": u.path.lstrip("/") or "default"})
    with urllib.request.urlopen(urllib.request.Request(f"{u.scheme}://{u.hostname}:{u.port}/?{query}", data=sql.encode())) as response:
        return response.read()


def direct_rowbinary(ch_url: str, symbol: str, start: int, end: int) -> np.ndarray:
    return np.frombuffer(clickhouse_read(ch_url, symbol, start, end, "RowBinary"), dtype=ROW)


WIDTHS = {"UInt8": "u1", "UInt32": "<u4", "Int64": "<i8", "Float64": "<f8"}


def direct_native(ch_url: str, symbol: str, start: int, end: int) -> dict[str, np.ndarray]:
    """The same read in ClickHouse's Native format (what the service reads): per block, each column
    contiguous, so one frombuffer a column and a block."""
    data = memoryview(clickhouse_read(ch_url, symbol, start, end, "Native"))
    pos = 0

    def varint() -> int:
        nonlocal pos
        shift = value = 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def text() -> str:
        nonlocal pos
        n = varint()
        pos += n
        return bytes(data[pos - n : pos]).decode()

    parts: dict[str, list[np.ndarray]] = {}
    while pos < len(data):
        columns, rows = varint(), varint()
        for _ in range(columns):
            name, dtype = text(), np.dtype(WIDTHS[text()])
            parts.setdefault(name, []).append(np.frombuffer(data, dtype=dtype, count=rows, offset=pos))
            pos += rows * dtype.itemsize
    return {name: np.concatenate(p) for name, p in parts.items()}


def clickhouse_connect_reader(ch_url: str):
    """clickhouse-connect's query_np, or (None, why) when it cannot talk to this server."""
    try:
        import clickhouse_connect

        u = urllib.parse.urlparse(ch_url)
        ch = clickhouse_connect.get_client(host=u.hostname, port=u.port, username=u.username or "default", password=u.password or "", database=u.path.lstrip("/") or "default")
    except Exception as err:  # noqa: BLE001 - any failure to connect means no baseline from it
        return None, str(err).split("\n")[0][:200]
    sql = "SELECT symbol, broker, account_type, ts, bid, ask, last, volume, flags FROM ticks WHERE symbol = {s:String} AND ts >= {a:Int64} AND ts < {b:Int64} ORDER BY ts"
    return (lambda symbol, start, end: ch.query_np(sql, parameters={"s": symbol, "a": start, "b": end})), None


def main(addr: str, ch_url: str, symbol: str, start: int, end: int, rounds: int) -> None:
    connect_read, connect_error = clickhouse_connect_reader(ch_url)
    times = {"service": [], "native": [], "rowbinary": [], "clickhouse_connect": []}
    rows = None
    with Client(addr) as client:
        for _ in range(rounds):
            t = time.perf_counter()
            frame = client.query_ticks(symbol, start, end, chunk_size=50_000)
            times["service"].append(time.perf_counter() - t)
            t = time.perf_counter()
            native = direct_native(ch_url, symbol, start, end)
            times["native"].append(time.perf_counter() - t)
            t = time.perf_counter()
            records = direct_rowbinary(ch_url, symbol, start, end)
            times["rowbinary"].append(time.perf_counter() - t)
            if connect_read:
                t = time.perf_counter()
                connect_read(symbol, start, end)
                times["clickhouse_connect"].append(time.perf_counter() - t)
            assert len(frame) == len(records), (len(frame), len(records))
            np.testing.assert_array_equal(frame["bid"].to_numpy(), records["bid"])
            np.testing.assert_array_equal(frame["time_msc"].to_numpy(), native["ts"])
            rows = len(frame)
    med = {k: statistics.median(v) for k, v in times.items() if v}
    out = {
        "rows": rows,
        "service_rows_per_s": round(rows / med["service"]),
        "native_rows_per_s": round(rows / med["native"]),
        "ratio_to_native": round(med["native"] / med["service"], 3),
        "rowbinary_rows_per_s": round(rows / med["rowbinary"]),
        "ratio_to_rowbinary": round(med["rowbinary"] / med["service"], 3),
        "seconds": {k: [round(x, 3) for x in v] for k, v in times.items() if v},
    }
    if connect_read:
        out["clickhouse_connect_rows_per_s"] = round(rows / med["clickhouse_connect"])
        out["ratio_to_clickhouse_connect"] = round(med["clickhouse_connect"] / med["service"], 3)
    else:
        out["clickhouse_connect_error"] = connect_error
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
