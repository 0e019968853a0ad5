import { performance } from "node:perf_hooks";
import { createClient as createClickHouse } from "@clickhouse/client";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { readNativeBlocks } from "../src/backends/clickhouse/native-reader.js";
import { tickArrays, wideWindowSessions } from "../src/client.js";
import { createTempClickHouseDatabase, openClickHouseTickStore } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, benchServer, cpuPerItem, cpuText, machine, median, oneSeriesBlock, pidOf, requireEnv, round } from "./lib.js";

const SYMBOL = "EURUSD";
/** The replay of several series: two symbols, each tick a millisecond after the other's, 1% at the same millisecond. */
const PAIR = ["AUDUSD", "NZDUSD"];
const CHUNK = 100_000;

/** `rows` ticks of `symbol` at `timeOf(i)`, stored through the adapter's own insert path. */
export async function fill(dbUrl: string, symbol: string, rows: number, timeOf: (i: number) => number): Promise<void> {
  const { store } = await openClickHouseTickStore(dbUrl);
  for (let start = 0; start < rows; start += CHUNK) {
    const n = Math.min(CHUNK, rows - start);
    const block = oneSeriesBlock(
      symbol,
      Float64Array.from({ length: n }, (_, i) => timeOf(start + i)),
      Float64Array.from({ length: n }, (_, i) => 1 + ((start + i) % 1000) / 1e4),
      new Float64Array(n).fill(1),
    );
    await store.insert(`range-${symbol}-${start}`, block);
  }
  await store.close();
}

type Arrays = { time: BigInt64Array; bid: Float64Array };
const typed = <T>(bytes: Uint8Array, make: (b: ArrayBuffer) => T) => make(new Uint8Array(bytes).buffer);

/** ClickHouse Native bytes into typed arrays, one copy a column, as a client of the direct read does; the rows. */
async function nativeToArrays(bytes: AsyncIterable<Uint8Array>, more: string[] = []): Promise<number> {
  let n = 0;
  const out: Arrays[] = [];
  for await (const b of readNativeBlocks(bytes)) {
    const c = b.columns;
    out.push({ time: typed(c.get("time_msc")!, (x) => new BigInt64Array(x)), bid: typed(c.get("bid")!, (x) => new Float64Array(x)) });
    for (const name of ["account_type", "ask", "last", "volume", "flags", ...more]) typed(c.get(name)!, (x) => x);
    n += b.rows;
  }
  return n;
}

/**
 * Range reads of the same rows, each ending in typed arrays at the client (the bench process):
 * straight from ClickHouse in its Native format (the direct binary read), through
 * QueryTicks with columnar set (by the project's client, and by connect-node with its default
 * 64 KiB HTTP/2 windows), through a bare node:http2 process that relays ClickHouse's bytes
 * unchanged (the least any service in between can cost on these shared cores), and through the
 * row-wise QueryTicks (for reference), and as an unpaced ReplayTicks of the one symbol. The ratio
 * is the project client's columnar QueryTicks rows/s over the direct read's, same run; target >=
 * 0.8, and the same bar for the replay (`replay_ratio`) and for a replay of two symbols merged
 * (`replay_pair_ratio`, against the direct read of the same ticks by time).
 */
export async function run() {
  const url = requireEnv("CLICKHOUSE_URL");
  const rows = arg("rows", 2_000_000);
  const rounds = arg("rounds", 3);
  const chunk = arg("chunk", 50_000);
  const db = await createTempClickHouseDatabase(url);
  const t0 = Date.now() - 3 * 86_400_000;
  console.log(`range bench: ${rows} ticks of one symbol, ${rounds} rounds, chunks of ${chunk}; ${machine()}`);
  // Shaped as production runs it: with the stack's PostgreSQL for users and graph rather than the
  // embedded PGlite, whose heap (about 10 MB more live) every collection marks; bulk reads set off
  // a collection every few tens of MB received (bench/RESULTS.md, 2026-12-04).
  const postgres: Record<string, string> = process.env.POSTGRES_URL ? { POSTGRES_URL: process.env.POSTGRES_URL } : {};
  const svc = await startServerProcess({ CLICKHOUSE_URL: db.url, ...postgres, AUTH_JWT_SECRET: "r".repeat(32), AUTH_ENABLED: "false" });
  // The floor of any service in between on this machine: bytes relayed unchanged (range-relay.ts).
  const relay = await benchServer("range-relay.ts", [db.url]);
  try {
    await fill(db.url, SYMBOL, rows, (i) => t0 + i);
    await fill(db.url, PAIR[0]!, rows / 2, (i) => t0 + 2 * i);
    await fill(db.url, PAIR[1]!, rows / 2, (i) => t0 + 2 * i + (i % 100 === 0 ? 0 : 1));
    const ch = createClickHouse({ url: db.url, request_timeout: 300_000 });
    // The project's client (src/client.ts) widens HTTP/2's receive windows; connect-node's own
    // defaults (64 KiB) are measured beside it for the difference.
    const ticks = createClient(TickService, createGrpcTransport({ baseUrl: svc.url, readMaxBytes: 64 * 1024 * 1024, sessionManager: wideWindowSessions(svc.url) }));
    const narrow = createClient(TickService, createGrpcTransport({ baseUrl: svc.url, readMaxBytes: 64 * 1024 * 1024 }));
    const relaySessions = wideWindowSessions(`http://127.0.0.1:${relay.port}`);
    const nativeQuery = `SELECT account_type, ts AS time_msc, bid, ask, last, volume, flags FROM ticks WHERE symbol = '${SYMBOL}' AND ts >= ${t0} AND ts < ${t0 + rows} ORDER BY ts FORMAT Native`;
    const pairList = PAIR.map((p) => `'${p}'`).join(", ");
    const pairQuery = `SELECT toUInt32(indexOf([${pairList}], symbol) - 1) AS symbol_index, account_type, ts AS time_msc, bid, ask, last, volume, flags FROM ticks WHERE symbol IN (${pairList}) AND ts >= ${t0} AND ts < ${t0 + rows} ORDER BY ts FORMAT Native`;
    const pids = { bench: process.pid, service: svc.proc.pid, relay: relay.pid, clickhouse: pidOf("clickhouse-server") };
    const request = { symbol: SYMBOL, startTimeMsc: BigInt(t0), endTimeMsc: BigInt(t0 + rows), chunkSize: chunk };

    const columnar = async (client: typeof ticks) => {
      let n = 0;
      for await (const res of client.queryTicks({ ...request, columnar: true })) {
        const a = tickArrays(res.columns!);
        n += a.bid.length;
      }
      return n;
    };
    const paths: Record<string, () => Promise<number>> = {
      direct: async () => {
        const r = await ch.exec({ query: nativeQuery, clickhouse_settings: { max_block_size: String(chunk) } });
        return nativeToArrays(r.stream as AsyncIterable<Uint8Array>);
      },
      // The pair's ticks straight from ClickHouse, merged by time: what replay_pair is set against.
      direct_pair: async () => {
        const r = await ch.exec({ query: pairQuery, clickhouse_settings: { max_block_size: String(chunk) } });
        return nativeToArrays(r.stream as AsyncIterable<Uint8Array>, ["symbol_index"]);
      },
      relay: async () => {
        const stream = await relaySessions.request("POST", "/", { "x-max-block-size": String(chunk) }, {});
        stream.end(nativeQuery);
        return nativeToArrays(stream);
      },
      service: () => columnar(ticks),
      service_64k_windows: () => columnar(narrow),
      // Unpaced (pace 0) ReplayTicks of the one symbol: the same rows, merged in replay order.
      replay: async () => {
        let n = 0;
        for await (const res of ticks.replayTicks({ symbols: [SYMBOL], startTimeMsc: request.startTimeMsc, endTimeMsc: request.endTimeMsc, chunkSize: chunk })) {
          n += tickArrays(res.columns!).bid.length;
        }
        return n;
      },
      replay_pair: async () => {
        let n = 0;
        for await (const res of ticks.replayTicks({ symbols: PAIR, startTimeMsc: request.startTimeMsc, endTimeMsc: request.endTimeMsc, chunkSize: chunk })) {
          n += tickArrays(res.columns!).bid.length;
        }
        return n;
      },
    };
    const results: Record<string, { rowsPerSecond: number[]; cpu: Record<string, number>[] }> = Object.fromEntries(Object.keys(paths).map((p) => [p, { rowsPerSecond: [], cpu: [] }]));
    for (let round_ = 0; round_ < rounds; round_++) {
      for (const [name, read] of Object.entries(paths)) {
        const start = performance.now();
        const { result: n, cpuMicrosPerItem } = await cpuPerItem(pids, rows, read);
        if (n !== rows) throw new Error(`${name} read ${n} rows, expected ${rows}`);
        const rps = Math.round(n / ((performance.now() - start) / 1000));
        results[name]!.rowsPerSecond.push(rps);
        results[name]!.cpu.push(cpuMicrosPerItem);
        console.log(`round ${round_ + 1} ${name.padEnd(19)} ${rps} rows/s; CPU us per row: ${cpuText(cpuMicrosPerItem)}`);
      }
    }
    const ratios = results.service!.rowsPerSecond.map((s, i) => round(s / results.direct!.rowsPerSecond[i]!, 3));
    const ratio = median(ratios);

    // Row-wise QueryTicks once, for the before/after: it decodes and encodes a message per tick.
    let rowWisePerSecond: number | undefined;
    if (arg("rowwise", 1) === 1) {
      const rowStart = performance.now();
      let rowWise = 0;
      for await (const res of ticks.queryTicks(request)) rowWise += res.ticks.length;
      rowWisePerSecond = Math.round(rowWise / ((performance.now() - rowStart) / 1000));
      console.log(`row-wise QueryTicks (reference): ${rowWisePerSecond} rows/s`);
    }
    console.log(`columnar QueryTicks / direct Native read: ${ratio} (rounds ${ratios.join(", ")}); target >= 0.8: ${ratio >= 0.8 ? "met" : "NOT met"}`);
    const narrowRatios = results.service_64k_windows!.rowsPerSecond.map((s, i) => round(s / results.direct!.rowsPerSecond[i]!, 3));
    console.log(`the same through 64 KiB windows (connect-node's defaults): ${median(narrowRatios)} (rounds ${narrowRatios.join(", ")})`);
    const replayRatios = results.replay!.rowsPerSecond.map((s, i) => round(s / results.direct!.rowsPerSecond[i]!, 3));
    console.log(`unpaced ReplayTicks / direct Native read: ${median(replayRatios)} (rounds ${replayRatios.join(", ")}); target >= 0.8: ${median(replayRatios) >= 0.8 ? "met" : "NOT met"}`);
    const pairRatios = results.replay_pair!.rowsPerSecond.map((s, i) => round(s / results.direct_pair!.rowsPerSecond[i]!, 3));
    console.log(`unpaced ReplayTicks of two symbols (1% of ticks at the same millisecond) / their direct Native read by time: ${median(pairRatios)} (rounds ${pairRatios.join(", ")}); target >= 0.8: ${median(pairRatios) >= 0.8 ? "met" : "NOT met"}`);
    const relayRatios = results.relay!.rowsPerSecond.map((s, i) => round(s / results.direct!.rowsPerSecond[i]!, 3));
    console.log(`bytes relayed unchanged by bare node:http2 (the floor of a service here) / direct: ${median(relayRatios)} (rounds ${relayRatios.join(", ")}); service / relay: ${round(ratio / median(relayRatios), 3)}`);
    relaySessions.abort();
    await ch.close();
    return {
      bench: "range",
      machine: machine(),
      date: new Date().toISOString(),
      rows,
      chunk,
      direct_rows_per_second: median(results.direct!.rowsPerSecond),
      service_rows_per_second: median(results.service!.rowsPerSecond),
      service_64k_windows_rows_per_second: median(results.service_64k_windows!.rowsPerSecond),
      row_wise_rows_per_second: rowWisePerSecond,
      ratio,
      rounds: ratios,
      ratio_64k_windows: median(narrowRatios),
      replay_ratio: median(replayRatios),
      replay_rounds: replayRatios,
      replay_pair_ratio: median(pairRatios),
      replay_pair_rounds: pairRatios,
      relay_ratio: median(relayRatios),
      relay_rows_per_second: median(results.relay!.rowsPerSecond),
      cpu_us_per_row: Object.fromEntries(Object.entries(results).map(([p, r]) => [p, r.cpu])),
    };
  } finally {
    relay.stop();
    await svc.stop();
    await db.drop();
  }
}
