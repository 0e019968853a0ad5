import { performance } from "node:perf_hooks";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { createClient as createClickHouse } from "@clickhouse/client";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Readable } from "node:stream";
import { AckState, type IngestTicksRequest, IngestTicksRequestSchema, type TickBatchSchema, TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { NativeBlockEncoder, TICK_COLUMNS } from "../src/backends/clickhouse/native-block.js";
import { tickColumns } from "../src/client.js";
import { RowBinaryEncoder } from "./rowbinary.js";
import type { TickBlock } from "../src/ports/tick-block.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, cpuPerItem, cpuText, drive, machine, median, pidOf, requireEnv, round, rssSampler, summarize } from "./lib.js";

const SYMBOLS = ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "BTCUSD", "US500", "AUDUSD", "USDCHF"];

/** `batches` columnar batches of `size` ticks: the same rows for the direct and the service path. */
export function makeBatches(batches: number, size: number): { id: string; columns: MessageInitShape<typeof TickBatchSchema>; block: TickBlock }[] {
  const now = Date.now();
  const out = [];
  for (let b = 0; b < batches; b++) {
    const symbolIndex = new Uint32Array(size);
    const timeMsc = new BigInt64Array(size);
    const block: TickBlock = {
      length: size,
      symbols: SYMBOLS,
      symbolIndex,
      brokers: ["BenchBroker"],
      brokerIndex: new Uint32Array(size),
      accountType: new Uint8Array(size).fill(2),
      timeMsc: new Float64Array(size),
      bid: new Float64Array(size),
      ask: new Float64Array(size),
      last: new Float64Array(size),
      volume: new Float64Array(size).fill(1),
      flags: new Uint32Array(size).fill(6),
    };
    for (let i = 0; i < size; i++) {
      const s = (b * size + i) % SYMBOLS.length;
      const t = now - 3_600_000 + b * size + i;
      const p = 1 + ((b * size + i) % 1000) / 1e4;
      symbolIndex[i] = s;
      timeMsc[i] = BigInt(t);
      block.timeMsc[i] = t;
      block.bid[i] = p;
      block.ask[i] = p + 0.0002;
    }
    const id = `bench-${b}`;
    const columns = {
      batchId: id,
      payload: {
        case: "columns" as const,
        value: tickColumns({
          symbols: SYMBOLS,
          brokers: ["BenchBroker"],
          symbolIndex,
          brokerIndex: block.brokerIndex,
          accountType: block.accountType,
          timeMsc,
          bid: block.bid,
          ask: block.ask,
          last: block.last,
          volume: block.volume,
          flags: block.flags,
        }),
      },
    };
    out.push({ id, columns, block });
  }
  return out;
}

export const CLICKHOUSE_PROCESS = "clickhouse-server";

type TempDb = Awaited<ReturnType<typeof createTempClickHouseDatabase>>;
type Chunk = { batchId: string; block: TickBlock }[];

/**
 * Inserts all batches straight into ClickHouse in 100k-row chunks, `concurrency` INSERTs in flight
 * (with more than one, encoding a chunk overlaps another's insert); rows/s.
 */
export async function directInsert(dbUrl: string, batches: ReturnType<typeof makeBatches>, concurrency: number, format: string, encode: (chunk: Chunk) => Buffer) {
  const server = await startServerProcess({ CLICKHOUSE_URL: dbUrl, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false", LOG_LEVEL: "info" });
  await server.stop("SIGTERM"); // creates the schema through the migrations
  const ch = createClickHouse({ url: dbUrl, request_timeout: 60_000 });
  const perChunk = Math.max(1, Math.floor(100_000 / batches[0]!.block.length));
  const rows = batches.reduce((n, b) => n + b.block.length, 0);
  const t0 = performance.now();
  const { cpuMicrosPerItem: cpuMicrosPerRow } = await cpuPerItem({ bench: process.pid, clickhouse: pidOf(CLICKHOUSE_PROCESS) }, rows, () =>
    drive(Math.ceil(batches.length / perChunk), concurrency, async (c) => {
      const chunk = batches.slice(c * perChunk, (c + 1) * perChunk).map((b) => ({ batchId: b.id, block: b.block }));
      const r = await ch.exec({ query: `INSERT INTO ticks (${TICK_COLUMNS}) FORMAT ${format}`, values: Readable.from([encode(chunk)]) });
      r.stream.resume();
      await new Promise((res, rej) => r.stream.once("end", res).once("error", rej));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await ch.close();
  const stored = await countRows(dbUrl);
  const result = { rowsPerSecond: Math.round(stored / seconds), seconds: round(seconds), cpuMicrosPerRow };
  console.log(`direct ${format} insert: ${result.rowsPerSecond} rows/s (${stored} rows in ${result.seconds} s, ${concurrency} in flight; CPU us per row: ${cpuText(cpuMicrosPerRow)})`);
  return result;
}

export async function countRows(url: string): Promise<number> {
  const ch = createClickHouse({ url });
  const [r] = await (await ch.query({ query: "SELECT count() AS n FROM ticks", format: "JSONEachRow", clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } })).json<{ n: number }>();
  await ch.close();
  return Number(r!.n);
}

export type Settings = { url: string; batches: ReturnType<typeof makeBatches>; streams: number; window: number };

/**
 * Streams every request over IngestTicks, `streams` calls spread over `urls` (one replica each in
 * turn), `window` batches in flight per call; every ack must be DURABLE. Ack latencies in ms.
 */
export async function streamBatches(urls: string[], requests: IngestTicksRequest[], streams: number, window: number, onAck: (ack: { acceptedTicks: number }) => void = () => undefined): Promise<{ latencies: number[]; acked: number }> {
  const clients = urls.map((baseUrl) => createClient(TickService, createGrpcTransport({ baseUrl })));
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  let acked = 0;
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      const mine = requests.filter((_, i) => i % streams === s);
      let inflight = 0;
      let wake: (() => void) | undefined;
      async function* gen() {
        for (const r of mine) {
          while (inflight >= window) await new Promise<void>((res) => (wake = res));
          inflight++;
          sentAt.set(r.batch!.batchId, performance.now());
          yield r;
        }
      }
      for await (const ack of clients[s % clients.length]!.ingestTicks(gen())) {
        if (ack.state !== AckState.DURABLE) throw new Error(`unexpected ack ${AckState[ack.state]} for ${ack.batchId}`);
        latencies.push(performance.now() - sentAt.get(ack.batchId)!);
        acked += ack.acceptedTicks;
        onAck(ack);
        inflight--;
        wake?.();
      }
    }),
  );
  return { latencies, acked };
}

/** Streams every batch through the service's IngestTicks (acks only when durable); rows/s and more. */
export async function serviceInsert(dbUrl: string, { batches, streams, window }: Settings) {
  const svc = await startServerProcess({ CLICKHOUSE_URL: dbUrl, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" });
  const rss = rssSampler(svc.proc.pid!);
  const requests = batches.map((b) => create(IngestTicksRequestSchema, { batch: b.columns }));
  const rows = batches.reduce((n, b) => n + b.block.length, 0);
  const s0 = performance.now();
  const {
    result: { latencies, acked },
    cpuMicrosPerItem: cpuMicrosPerRow,
  } = await cpuPerItem({ bench: process.pid, service: svc.proc.pid, clickhouse: pidOf(CLICKHOUSE_PROCESS) }, rows, () => streamBatches([svc.url], requests, streams, window));
  const seconds = (performance.now() - s0) / 1000;
  const peakRssMiB = rss.stop();
  await svc.stop("SIGTERM");
  const stored = await countRows(dbUrl);
  if (stored !== rows || acked !== rows) throw new Error(`acked ${acked} and stored ${stored} rows, expected ${rows}`);
  const service = { rowsPerSecond: Math.round(acked / seconds), seconds: round(seconds), ackLatencyMs: summarize(latencies), peakRssMiB, cpuMicrosPerRow };
  console.log(
    `service IngestTicks:     ${service.rowsPerSecond} rows/s (${acked} acked and stored in ${service.seconds} s); ack latency p50 ${service.ackLatencyMs.p50} ms, p99 ${service.ackLatencyMs.p99} ms; service peak RSS ${peakRssMiB} MiB; CPU us per row: ${cpuText(cpuMicrosPerRow)}`,
  );
  return service;
}

/**
 * One round, each path into a fresh database: the direct baselines (the same rows encoded in Node
 * and POSTed into the same schema in 100k-row chunks), then the service.
 * - RowBinary, one INSERT at a time: the baseline the issue and DESIGN.md describe (~0.9M rows/s
 *   there), which the 0.8 target refers to;
 * - RowBinary with as many INSERTs in flight as the service has streams: a direct user who also
 *   overlaps encoding with inserting, the harder comparison;
 * - Native, the same way: the format the service itself sends.
 */
async function oneRound(settings: Settings) {
  const databases: TempDb[] = [];
  const fresh = async () => {
    const db = await createTempClickHouseDatabase(settings.url);
    databases.push(db);
    return db.url;
  };
  try {
    const rowBinary = new RowBinaryEncoder();
    const native = new NativeBlockEncoder("Int64");
    const direct = await directInsert(await fresh(), settings.batches, 1, "RowBinary", (chunk) => rowBinary.encode(chunk));
    const directPipelined = await directInsert(await fresh(), settings.batches, settings.streams, "RowBinary", (chunk) => rowBinary.encode(chunk));
    const directNative = await directInsert(await fresh(), settings.batches, settings.streams, "Native", (chunk) => native.encode(chunk));
    const service = await serviceInsert(await fresh(), settings);
    const ratio = round(service.rowsPerSecond / direct.rowsPerSecond);
    const pipelinedRatio = round(service.rowsPerSecond / directPipelined.rowsPerSecond);
    const nativeRatio = round(service.rowsPerSecond / directNative.rowsPerSecond);
    console.log(`round ratio service/direct: ${ratio} against RowBinary, ${pipelinedRatio} against pipelined RowBinary, ${nativeRatio} against pipelined Native`);
    return { direct, directPipelined, directNative, service, ratio, pipelinedRatio, nativeRatio };
  } finally {
    for (const db of databases) await db.drop();
  }
}


export async function run() {
  // --replicas N: the tick log's mode, through N replicas against one (bench/ingest-replicas.ts).
  if (arg("replicas", 0) > 0) return (await import("./ingest-replicas.js")).run();
  const url = requireEnv("CLICKHOUSE_URL");
  const batchSize = arg("batch", 5000);
  const batchCount = arg("batches", 1000);
  const streams = arg("streams", 2);
  const window = arg("window", 16);
  // The machine's figures wander by 20% from run to run (client, service and ClickHouse share two
  // cores), so the bench runs rounds of all three paths and reports the medians.
  const rounds = arg("rounds", 3);
  const rows = batchSize * batchCount;
  const batches = makeBatches(batchCount, batchSize);
  console.log(`ingest bench: ${rounds} rounds of ${rows} ticks, ${batchCount} columnar batches of ${batchSize}, ${streams} streams; ${machine()}`);
  const results = [];
  for (let r = 0; r < rounds; r++) results.push(await oneRound({ url, batches, streams, window }));
  const summary = {
    directRowsPerSecond: median(results.map((r) => r.direct.rowsPerSecond)),
    directPipelinedRowsPerSecond: median(results.map((r) => r.directPipelined.rowsPerSecond)),
    directNativeRowsPerSecond: median(results.map((r) => r.directNative.rowsPerSecond)),
    serviceRowsPerSecond: median(results.map((r) => r.service.rowsPerSecond)),
    ratio: median(results.map((r) => r.ratio)),
    pipelinedRatio: median(results.map((r) => r.pipelinedRatio)),
    nativeRatio: median(results.map((r) => r.nativeRatio)),
    ackLatencyP99Ms: median(results.map((r) => r.service.ackLatencyMs.p99)),
    peakRssMiB: Math.max(...results.map((r) => r.service.peakRssMiB)),
  };
  console.log(
    `median of ${rounds} rounds: direct RowBinary ${summary.directRowsPerSecond} rows/s (pipelined ${summary.directPipelinedRowsPerSecond}), direct Native pipelined ${summary.directNativeRowsPerSecond} rows/s, service ${summary.serviceRowsPerSecond} rows/s; ` +
      `ratio service/direct ${summary.ratio} against RowBinary (target >= 0.8), ${summary.pipelinedRatio} against pipelined RowBinary, ${summary.nativeRatio} against pipelined Native; ack p99 ${summary.ackLatencyP99Ms} ms; peak RSS ${summary.peakRssMiB} MiB`,
  );
  return { bench: "ingest", machine: machine(), date: new Date().toISOString(), rows, batchSize, streams, rounds: results, ...summary };
}
