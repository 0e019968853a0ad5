import { rowOf, seriesOf, type TickValueColumns } from "../tick-block/tick-block.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { TickRow } from "../ports/tick-store.js";

/**
 * The newest ticks per symbol and broker, in memory (as a kdb+ RDB serves the day): a fixed-size
 * columnar ring per series, so adding a tick allocates nothing. Filled after a batch is durable
 * (in the store, or in the tick log when that is the ack point), never before.
 */
export class RecentTicks {
  private readonly rings = new Map<string, Map<string, Ring>>();

  constructor(private readonly capacity: number) {}

  add(block: TickBlock): void {
    const { keys, ofTick } = seriesOf(block);
    const rings = keys.map((k) => this.ring(k.symbol, k.broker));
    // By runs of one series: a bridge's batch is usually one series throughout, one run.
    for (let from = 0; from < block.length; ) {
      const k = ofTick[from]!;
      let to = from + 1;
      while (to < block.length && ofTick[to] === k) to++;
      rings[k]!.pushRun(block, from, to);
      from = to;
    }
  }

  /**
   * The time from which memory holds every tick of the series it was given (undefined: none held):
   * the oldest tick each ring still holds, the latest of those when the series spans brokers.
   */
  coveredFrom(symbol: string, broker: string | undefined): number | undefined {
    const brokers = this.rings.get(symbol);
    if (!brokers) return undefined;
    if (broker !== undefined) return brokers.get(broker)?.oldestMsc();
    let from: number | undefined;
    for (const ring of brokers.values()) {
      const oldest = ring.oldestMsc();
      if (oldest !== undefined && (from === undefined || oldest > from)) from = oldest;
    }
    return from;
  }

  private ring(symbol: string, broker: string): Ring {
    let brokers = this.rings.get(symbol);
    if (!brokers) this.rings.set(symbol, (brokers = new Map()));
    let ring = brokers.get(broker);
    if (!ring) brokers.set(broker, (ring = new Ring(symbol, broker, this.capacity)));
    return ring;
  }

  /** Up to `limit` of the newest ticks memory holds, newest first (fewer when it holds fewer). */
  newest(symbol: string, broker: string | undefined, limit: number): TickRow[] {
    const brokers = this.rings.get(symbol);
    if (!brokers) return [];
    if (broker !== undefined) return brokers.get(broker)?.newest(limit) ?? [];
    const rings = [...brokers.values()];
    if (rings.length === 1) return rings[0]!.newest(limit);
    // Each ring alone may hold fewer than `limit`; merging the newest `limit` of each is exact.
    return rings
      .flatMap((r) => r.newest(limit))
      .sort((a, b) => b.timeMsc - a.timeMsc)
      .slice(0, limit);
  }
}

/** Runs at least this long are copied by column slices (see Ring.pushRun). */
const RUN_COPY_MIN = 32;

class Ring {
  private readonly columns: TickValueColumns;
  private next = 0;
  size = 0;

  constructor(
    private readonly symbol: string,
    private readonly broker: string,
    private readonly capacity: number,
  ) {
    this.columns = {
      accountType: new Uint8Array(capacity),
      timeMsc: new Float64Array(capacity),
      bid: new Float64Array(capacity),
      ask: new Float64Array(capacity),
      last: new Float64Array(capacity),
      volume: new Float64Array(capacity),
      flags: new Uint32Array(capacity),
    };
  }

  /**
   * Ticks from..to-1 of the block, all of this ring's series. A long run is copied column by
   * column (only its newest `capacity` ticks can stay), a short one tick by tick: copying a
   * column slice costs a view of it, which is more than a few ticks cost.
   */
  pushRun(block: TickBlock, from: number, to: number): void {
    if (to - from < RUN_COPY_MIN) {
      for (let i = from; i < to; i++) this.push(block, i);
      return;
    }
    for (let start = Math.max(from, to - this.capacity); start < to; ) {
      const j = this.next;
      const n = Math.min(to - start, this.capacity - j);
      const c = this.columns;
      const end = start + n;
      c.accountType.set(block.accountType.subarray(start, end), j);
      c.timeMsc.set(block.timeMsc.subarray(start, end), j);
      c.bid.set(block.bid.subarray(start, end), j);
      c.ask.set(block.ask.subarray(start, end), j);
      c.last.set(block.last.subarray(start, end), j);
      c.volume.set(block.volume.subarray(start, end), j);
      c.flags.set(block.flags.subarray(start, end), j);
      this.next = j + n === this.capacity ? 0 : j + n;
      this.size = Math.min(this.capacity, this.size + n);
      start = end;
    }
  }

  private push(block: TickBlock, i: number): void {
    const j = this.next;
    const c = this.columns;
    c.accountType[j] = block.accountType[i]!;
    c.timeMsc[j] = block.timeMsc[i]!;
    c.bid[j] = block.bid[i]!;
    c.ask[j] = block.ask[i]!;
    c.last[j] = block.last[i]!;
    c.volume[j] = block.volume[i]!;
    c.flags[j] = block.flags[i]!;
    this.next = j + 1 === this.capacity ? 0 : j + 1;
    if (this.size < this.capacity) this.size++;
  }

  /** The time of the oldest tick held (by arrival). */
  oldestMsc(): number | undefined {
    return this.size === 0 ? undefined : this.columns.timeMsc[(this.next - this.size + this.capacity) % this.capacity]!;
  }

  /** Newest first, by arrival; a series arrives in time order from its bridge. */
  newest(limit: number): TickRow[] {
    const n = Math.min(limit, this.size);
    const out = new Array<TickRow>(n);
    for (let k = 0; k < n; k++) {
      const j = (this.next - 1 - k + this.capacity) % this.capacity;
      out[k] = rowOf(this.columns, j, this.symbol, this.broker);
    }
    return out;
  }
}
