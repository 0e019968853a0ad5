import type { FieldViolationInfo } from "../errors.js";
import type { TickBlock } from "../ports/tick-block.js";

/**
 * The ingest hot path's tick rules. They are the same rules as the protovalidate annotations on
 * `Tick` in proto/ (which document them and guard unary RPCs), written out by hand because
 * evaluating protovalidate per tick costs microseconds and ingest runs at about a million ticks a
 * second. test/tick-block/tick-validation.test.ts checks both agree on every rule.
 */

export const SYMBOL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._#-]*$/;
export const BROKER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;
const SYMBOL_MAX = 32;
const BROKER_MAX = 64;
const ACCOUNT_TYPES = new Set([1, 2, 3]);

/** Spells the path of tick `index`'s `field` in the request, e.g. "batch.rows.ticks[3].bid". */
export type TickFieldPath = (index: number, field: string) => string;

export type TickRules = {
  /** Ticks more than this far from now (either way) are rejected. */
  timeWindowMs: number;
  maxVolume: number;
};

export class TickValidator {
  constructor(private readonly rules: TickRules) {}

  /**
   * Returns the block's violations (up to `max`), each naming the tick index and its field path
   * as `path` spells it for the wire form the block came from.
   */
  validate(block: TickBlock, path: TickFieldPath, now = Date.now(), max = 20): FieldViolationInfo[] {
    const out: FieldViolationInfo[] = [];
    const lo = now - this.rules.timeWindowMs;
    const hi = now + this.rules.timeWindowMs;
    const add = (i: number, field: string, description: string) => {
      out.push({ field: path(i, field), index: i, description });
    };
    // Names are checked once per dictionary entry; each tick reports its own.
    const symbolOk = block.symbols.map((v) => wellFormed(v, SYMBOL_MAX, SYMBOL_PATTERN));
    const brokerOk = block.brokers.map((v) => wellFormed(v, BROKER_MAX, BROKER_PATTERN));
    for (let i = 0; i < block.length && out.length < max; i++) {
      if (!symbolOk[block.symbolIndex[i]!]) add(i, "symbol", `must be 1-${SYMBOL_MAX} characters matching ${SYMBOL_PATTERN.source}`);
      if (!brokerOk[block.brokerIndex[i]!]) add(i, "broker", `must be 1-${BROKER_MAX} characters matching ${BROKER_PATTERN.source}`);
      if (!ACCOUNT_TYPES.has(block.accountType[i]!)) add(i, "account_type", "must be DEMO, REAL or CONTEST");
      const t = block.timeMsc[i]!;
      if (!(t > 0)) add(i, "time_msc", "must be greater than 0");
      else if (t < lo || t > hi) add(i, "time_msc", `must be within ${this.rules.timeWindowMs} ms of the server's clock`);
      const bid = block.bid[i]!;
      const ask = block.ask[i]!;
      const bidOk = Number.isFinite(bid) && bid > 0;
      const askOk = Number.isFinite(ask) && ask > 0;
      if (!bidOk) add(i, "bid", "must be a finite number greater than 0");
      if (!askOk) add(i, "ask", "must be a finite number greater than 0");
      if (bidOk && askOk && bid > ask) add(i, "bid", "must not exceed ask");
      const last = block.last[i]!;
      if (!(Number.isFinite(last) && last >= 0)) add(i, "last", "must be a finite number, 0 or more");
      const volume = block.volume[i]!;
      if (!(Number.isFinite(volume) && volume >= 0 && volume <= this.rules.maxVolume)) {
        add(i, "volume", `must be a finite number from 0 to ${this.rules.maxVolume}`);
      }
    }
    return out;
  }
}

function wellFormed(value: string, maxLen: number, pattern: RegExp): boolean {
  return value.length >= 1 && value.length <= maxLen && pattern.test(value);
}
