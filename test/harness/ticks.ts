import { create } from "@bufbuild/protobuf";
import { AccountType, type Tick, type TickBatch, TickBatchSchema, TickSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";

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

/** `n` ticks of one series, one millisecond apart, ending now, prices rising. */
export function series(n: number, overrides: Partial<Omit<Tick, "$typeName">> = {}, endMs = Date.now()): Tick[] {
  return Array.from({ length: n }, (_, i) =>
    tick({ timeMsc: BigInt(endMs - (n - 1 - i)), bid: 1.1 + i * 1e-5, ask: 1.1002 + i * 1e-5, ...overrides }),
  );
}
