import { rowAt, type TickBlock } from "../ingest/tick-block.js";
import type { TickRow } from "../ports/tick-store.js";

/**
 * The newest ticks per symbol and broker, in memory (as a kdb+ RDB serves the day): a fixed-size
 * ring of rows per series. Filled by ingest after a batch is durable, so it never shows a tick
 * the store does not have.
 */
export class RecentTicks {
  private readonly rings = new Map<string, Map<string, Ring>>();

  constructor(private readonly capacity: number) {}

  add(block: TickBlock): void {
    for (let i = 0; i < block.length; i++) {
      const symbol = block.symbol[i]!;
      const broker = block.broker[i]!;
      let brokers = this.rings.get(symbol);
      if (!brokers) this.rings.set(symbol, (brokers = new Map()));
      let ring = brokers.get(broker);
      if (!ring) brokers.set(broker, (ring = new Ring(this.capacity)));
      ring.push(rowAt(block, i));
    }
  }

  /**
   * The newest `limit` ticks, newest first, or undefined when memory holds fewer than `limit`
   * (the caller then asks the store, which may hold older ones).
   */
  newest(symbol: string, broker: string | undefined, limit: number): TickRow[] | undefined {
    const brokers = this.rings.get(symbol);
    if (!brokers) return undefined;
    if (broker !== undefined) {
      const ring = brokers.get(broker);
      return ring && ring.size >= limit ? ring.newest(limit) : undefined;
    }
    const rings = [...brokers.values()];
    if (rings.reduce((n, r) => n + r.size, 0) < limit) return undefined;
    if (rings.length === 1) return rings[0]!.newest(limit);
    // Each ring alone may hold fewer than `limit`; merging the newest `limit` of each is exact.
    return rings
      .flatMap((r) => r.newest(limit))
      .sort((a, b) => b.timeMsc - a.timeMsc)
      .slice(0, limit);
  }
}

class Ring {
  private readonly rows: TickRow[];
  private next = 0;
  size = 0;

  constructor(private readonly capacity: number) {
    this.rows = new Array<TickRow>(capacity);
  }

  push(row: TickRow): void {
    this.rows[this.next] = row;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Newest first, by arrival; a series arrives in time order from its bridge. */
  newest(limit: number): TickRow[] {
    const n = Math.min(limit, this.size);
    const out = new Array<TickRow>(n);
    for (let j = 0; j < n; j++) out[j] = this.rows[(this.next - 1 - j + this.capacity) % this.capacity]!;
    return out;
  }
}
