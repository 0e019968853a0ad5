import { create } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { expect } from "vitest";
import { AccountType, AckState, IngestTicksRequestSchema, type Tick, type TickBatch, TickBatchSchema, TickSchema, type TickService } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { tickColumns } from "../../src/client.js";
import { one } from "./streams.js";

/** A valid tick; override any field. */
export function tick(overrides: Partial<Omit<Tick, "$typeName">> = {}): Tick {
  return create(TickSchema, {
    symbol: "EURUSD",
    broker: "ICMarkets",
    accountType: AccountType.REAL,
    timeMsc: BigInt(Date.now()),
    bid: 1.1,
    ask: 1.1002,
    last: 0,
    volume: 1,
    flags: 6,
    ...overrides,
  });
}

export function rowsBatch(batchId: string, ticks: Tick[]): TickBatch {
  return create(TickBatchSchema, { batchId, payload: { case: "rows", value: { ticks } } });
}

/** The same ticks as a columnar batch (symbols and brokers as dictionaries). */
export function columnsBatch(batchId: string, ticks: Tick[]): TickBatch {
  const dictionary = (names: string[]) => {
    const values = [...new Set(names)];
    return { values, index: Uint32Array.from(names, (n) => values.indexOf(n)) };
  };
  const symbols = dictionary(ticks.map((t) => t.symbol));
  const brokers = dictionary(ticks.map((t) => t.broker));
  const columns = tickColumns({
    symbols: symbols.values,
    brokers: brokers.values,
    symbolIndex: symbols.index,
    brokerIndex: brokers.index,
    accountType: Uint8Array.from(ticks, (t) => t.accountType),
    timeMsc: BigInt64Array.from(ticks, (t) => t.timeMsc),
    bid: Float64Array.from(ticks, (t) => t.bid),
    ask: Float64Array.from(ticks, (t) => t.ask),
    last: Float64Array.from(ticks, (t) => t.last),
    volume: Float64Array.from(ticks, (t) => t.volume),
    flags: Uint32Array.from(ticks, (t) => t.flags),
  });
  return create(TickBatchSchema, { batchId, payload: { case: "columns", value: columns } });
}

/** `n` ticks of one series, one millisecond apart, ending now, prices rising. */
export function series(n: number, overrides: Partial<Omit<Tick, "$typeName">> = {}, endMs = Date.now()): Tick[] {
  return Array.from({ length: n }, (_, i) =>
    tick({ timeMsc: BigInt(endMs - (n - 1 - i)), bid: 1.1 + i * 1e-5, ask: 1.1002 + i * 1e-5, ...overrides }),
  );
}

/** Ingests one batch of `ticks` and expects it acknowledged DURABLE. */
export async function ingestDurable(client: Client<typeof TickService>, batchId: string, ticks: Tick[]): Promise<void> {
  for await (const ack of client.ingestTicks(one(create(IngestTicksRequestSchema, { batch: rowsBatch(batchId, ticks) })))) expect(ack.state).toBe(AckState.DURABLE);
}
