import { performance } from "node:perf_hooks";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { createClient as createClickHouse } from "@clickhouse/client";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Readable } from "node:stream";
import { AckState, IngestTicksRequestSchema, type TickBatchSchema, TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { RowBinaryEncoder, TICK_COLUMNS } from "../src/backends/clickhouse/rowbinary.js";
import type { TickBlock } from "../src/ingest/tick-block.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, machine, requireEnv, round, rssSampler, summarize } from "./lib.js";

const SYMBOLS = ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "BTCUSD", "US500", "AUDUSD", "USDCHF"];

/** `batches` columnar batches of `size` ticks: the same rows for the direct and the service path. */
function makeBatches(batches: number, size: number): { id: string; columns: MessageInitShape<typeof TickBatchSchema>; block: TickBlock }[] {
  const now = Date.now();
  const out = [];
  for (let b = 0; b < batches; b++) {
    const symbolIndex = new Array<number>(size);
    const timeMsc = new Array<bigint>(size);
    const bid = new Array<number>(size);
    const ask = new Array<number>(size);
    const block: TickBlock = {
      length: size,
      symbol: new Array<string>(size),
      broker: new Array<string>(size).fill("BenchBroker"),
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
      bid[i] = p;
      ask[i] = p + 0.0002;
      (block.symbol as string[])[i] = SYMBOLS[s]!;
      block.timeMsc[i] = t;
      block.bid[i] = p;
      block.ask[i] = p + 0.0002;
    }
    const id = `bench-${b}`;
    const columns = {
      batchId: id,
      payload: {
        case: "columns" as const,
        value: {
          symbols: SYMBOLS,
          brokers: ["BenchBroker"],
          symbolIndex,
          brokerIndex: new Array<number>(size).fill(0),
          accountType: new Array<number>(size).fill(2),
          timeMsc,
          bid,
          ask,
          last: new Array<number>(size).fill(0),
          volume: new Array<number>(size).fill(1),
          flags: new Array<number>(size).fill(6),
        },
      },
    };
    out.push({ id, columns, block });
  }
  return out;
}

async function countRows(url: string): Promise<number> {
  const ch = createClickHouse({ url });
  const [r] = await (await ch.query({ query: "SELECT count() AS n FROM ticks", format: "JSONEachRow", clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } })).json<{ n: number }>();
  await ch.close();
  return Number(r!.n);
}

export async function run() {
  const url = requireEnv("CLICKHOUSE_URL");
  const batchSize = arg("batch", 5000);
  const batchCount = arg("batches", 400);
  const streams = arg("streams", 2);
  const window = arg("window", 16);
  const rows = batchSize * batchCount;
  const batches = makeBatches(batchCount, batchSize);
  console.log(`ingest bench: ${rows} ticks, ${batchCount} columnar batches of ${batchSize}, ${streams} streams; ${machine()}`);

  // Direct baseline: RowBinary encoded in Node, POSTed in 100k-row chunks into the same schema.
  const directDb = await createTempClickHouseDatabase(url);
  const serviceDb = await createTempClickHouseDatabase(url);
  try {
    const server = await startServerProcess({ CLICKHOUSE_URL: directDb.url, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false", LOG_LEVEL: "info" });
    await server.stop("SIGTERM"); // creates the schema in the direct database through the migrations
    const ch = createClickHouse({ url: directDb.url, request_timeout: 60_000 });
    const encoder = new RowBinaryEncoder();
    const perChunk = Math.max(1, Math.floor(100_000 / batchSize));
    const t0 = performance.now();
    for (let i = 0; i < batches.length; i += perChunk) {
      const chunk = batches.slice(i, i + perChunk).map((b) => ({ batchId: b.id, block: b.block }));
      const r = await ch.exec({ query: `INSERT INTO ticks (${TICK_COLUMNS}) FORMAT RowBinary`, values: Readable.from([encoder.encode(chunk)]) });
      r.stream.resume();
      await new Promise((res, rej) => r.stream.once("end", res).once("error", rej));
    }
    const directSeconds = (performance.now() - t0) / 1000;
    await ch.close();
    const directRows = await countRows(directDb.url);
    const direct = { rowsPerSecond: Math.round(directRows / directSeconds), seconds: round(directSeconds) };
    console.log(`direct RowBinary insert: ${direct.rowsPerSecond} rows/s (${directRows} rows in ${direct.seconds} s)`);

    // Through the service: IngestTicks streams, acks only when durable.
    const svc = await startServerProcess({ CLICKHOUSE_URL: serviceDb.url, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" });
    const rss = rssSampler(svc.proc.pid!);
    const client = createClient(TickService, createGrpcTransport({ baseUrl: svc.url }));
    const requests = batches.map((b) => create(IngestTicksRequestSchema, { batch: b.columns }));
    const latencies: number[] = [];
    const sentAt = new Map<string, number>();
    let acked = 0;
    const s0 = performance.now();
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
        for await (const ack of client.ingestTicks(gen())) {
          if (ack.state !== AckState.DURABLE) throw new Error(`unexpected ack ${AckState[ack.state]} for ${ack.batchId}`);
          latencies.push(performance.now() - sentAt.get(ack.batchId)!);
          acked += ack.acceptedTicks;
          inflight--;
          wake?.();
        }
      }),
    );
    const serviceSeconds = (performance.now() - s0) / 1000;
    const peakRssMiB = rss.stop();
    await svc.stop("SIGTERM");
    const stored = await countRows(serviceDb.url);
    const service = { rowsPerSecond: Math.round(acked / serviceSeconds), seconds: round(serviceSeconds), ackLatencyMs: summarize(latencies), peakRssMiB, stored };
    console.log(
      `service IngestTicks:     ${service.rowsPerSecond} rows/s (${acked} acked, ${stored} stored, in ${service.seconds} s); ack latency p50 ${service.ackLatencyMs.p50} ms, p99 ${service.ackLatencyMs.p99} ms; service peak RSS ${peakRssMiB} MiB`,
    );
    const ratio = round(service.rowsPerSecond / direct.rowsPerSecond);
    console.log(`ratio service/direct: ${ratio} (target >= 0.8)`);
    if (stored !== rows) throw new Error(`stored ${stored} rows, expected ${rows}`);
    return { bench: "ingest", machine: machine(), date: new Date().toISOString(), rows, batchSize, streams, direct, service, ratio };
  } finally {
    await directDb.drop();
    await serviceDb.drop();
  }
}
