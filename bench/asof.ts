import { performance } from "node:perf_hooks";
import { createClient as createClickHouse } from "@clickhouse/client";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import type { TickBlock } from "../src/ports/tick-block.js";
import { createTempClickHouseDatabase, openClickHouseTickStore } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, machine, requireEnv, seededRandom, summarize } from "./lib.js";

/**
 * GetTicksAsOf for `symbols` symbols (two brokers each) at random moments of a day of ticks,
 * one call at a time, against the same GROUP BY sent straight to ClickHouse in the same run.
 * Target: p99 <= 10 ms for 100 symbols.
 */
export async function run() {
  const url = requireEnv("CLICKHOUSE_URL");
  const symbols = Array.from({ length: arg("symbols", 100) }, (_, i) => `SYM${i}`);
  const perSeries = arg("ticks", 5_000);
  const calls = arg("calls", 300);
  const db = await createTempClickHouseDatabase(url);
  const day = 86_400_000;
  const t0 = Date.now() - 2 * day;
  console.log(`asof bench: ${symbols.length} symbols x 2 brokers x ${perSeries} ticks over a day, ${calls} calls; ${machine()}`);
  const svc = await startServerProcess({ CLICKHOUSE_URL: db.url, AUTH_JWT_SECRET: "a".repeat(32), AUTH_ENABLED: "false" });
  try {
    const { store } = await openClickHouseTickStore(db.url);
    const random = seededRandom(5);
    const n = symbols.length * 2 * perSeries;
    const block: TickBlock = {
      length: n,
      symbols,
      symbolIndex: Uint32Array.from({ length: n }, (_, i) => i % symbols.length),
      brokers: ["Left", "Right"],
      brokerIndex: Uint32Array.from({ length: n }, (_, i) => Math.floor(i / symbols.length) % 2),
      accountType: new Uint8Array(n).fill(2),
      timeMsc: Float64Array.from({ length: n }, () => t0 + Math.floor(random() * day)),
      bid: Float64Array.from({ length: n }, () => 1 + random()),
      ask: Float64Array.from({ length: n }, () => 2 + random()),
      last: new Float64Array(n),
      volume: new Float64Array(n).fill(1),
      flags: new Uint32Array(n),
    };
    for (let i = 0; i < n; i += 100_000) {
      const to = Math.min(n, i + 100_000);
      const part = (a: Uint32Array | Uint8Array | Float64Array) => a.subarray(i, to);
      await store.insert(`asof-${i}`, { ...block, length: to - i, symbolIndex: part(block.symbolIndex) as Uint32Array, brokerIndex: part(block.brokerIndex) as Uint32Array, accountType: part(block.accountType) as Uint8Array, timeMsc: part(block.timeMsc) as Float64Array, bid: part(block.bid) as Float64Array, ask: part(block.ask) as Float64Array, last: part(block.last) as Float64Array, volume: part(block.volume) as Float64Array, flags: part(block.flags) as Uint32Array });
    }
    await store.close();
    const ch = createClickHouse({ url: db.url });
    const ticks = createClient(TickService, createGrpcTransport({ baseUrl: svc.url }));
    const moments = Array.from({ length: calls }, () => t0 + Math.floor(random() * day));
    const list = symbols.map((s) => `'${s}'`).join(", ");
    const paths = {
      direct: async (t: number) =>
        (await ch.query({ query: `SELECT symbol, broker, max(ts) AS time_msc, argMax((account_type, bid, ask, last, volume, flags), ts) AS v FROM ticks WHERE symbol IN (${list}) AND ts <= ${t} GROUP BY symbol, broker ORDER BY symbol, broker`, format: "JSONEachRow" })).json(),
      service: async (t: number) => (await ticks.getTicksAsOf({ symbols, timeMsc: BigInt(t) })).ticks,
    };
    const out: Record<string, ReturnType<typeof summarize>> = {};
    for (const [name, call] of Object.entries(paths)) {
      for (const t of moments.slice(0, 20)) await call(t);
      const lat: number[] = [];
      for (const t of moments) {
        const start = performance.now();
        const rows = await call(t);
        lat.push(performance.now() - start);
        if (rows.length === 0) throw new Error(`${name}: no ticks as of ${t}`);
      }
      out[name] = summarize(lat);
      console.log(`${name.padEnd(7)} p50 ${out[name]!.p50} ms p99 ${out[name]!.p99} ms`);
    }
    console.log(`service p99 ${out.service!.p99} ms (target <= 10): ${out.service!.p99 <= 10 ? "met" : "NOT met"}; ${(out.service!.p50 / out.direct!.p50).toFixed(2)}x the direct query's p50`);
    await ch.close();
    return { bench: "asof", machine: machine(), date: new Date().toISOString(), symbols: symbols.length, ticks: n, direct: out.direct, service: out.service };
  } finally {
    await svc.stop();
    await db.drop();
  }
}
