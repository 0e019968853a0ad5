import { blockFromRows, rowAt } from "./tick-block.js";
import type { TickBlock } from "../ports/tick-block.js";

/**
 * One batch as one JSON line: `{"b": batchId, "t": [[symbol, broker, account_type, time_msc,
 * bid, ask, last, volume, flags], ...]}`. Used by the embedded store's journal and the ingest
 * spool, both append-only files read back in order.
 */
type Line = { b: string; t: [string, string, number, number, number, number, number, number, number][] };

export function encodeBatchLine(batchId: string, block: TickBlock): string {
  const t: Line["t"] = [];
  for (let i = 0; i < block.length; i++) {
    const r = rowAt(block, i);
    t.push([r.symbol, r.broker, r.accountType, r.timeMsc, r.bid, r.ask, r.last, r.volume, r.flags]);
  }
  return `${JSON.stringify({ b: batchId, t } satisfies Line)}\n`;
}

/** undefined for a torn or corrupt line (a crash mid-write: never acknowledged). */
export function decodeBatchLine(text: string): { batchId: string; block: TickBlock } | undefined {
  let line: Line;
  try {
    line = JSON.parse(text) as Line;
  } catch {
    return undefined;
  }
  const block = blockFromRows(
    line.t.map((t) => ({ symbol: t[0], broker: t[1], accountType: t[2], timeMsc: t[3], bid: t[4], ask: t[5], last: t[6], volume: t[7], flags: t[8] })),
  );
  return { batchId: line.b, block };
}
