import type { TickBlock } from "../ports/tick-block.js";
import type { RecentTicks } from "./recent-ticks.js";
import type { TickHub } from "./tick-hub.js";

/** Where an accepted batch came from: a gRPC call, or the tick stream (a bridge publishing to it). */
export type TickOrigin = "rpc" | "stream";

/**
 * Something that wants every durable block (last-tick cache, stream publishing); must not throw.
 * `origin` says whether the batch came over gRPC or from the tick stream's reverse path.
 */
export interface DurableTickListener {
  onDurable(block: TickBlock, batchId: string, origin: TickOrigin): void;
}

/**
 * What follows a durable batch: the recent-ticks memory, the live feed and the listeners. Fed by
 * the ingest path itself when ticks are stored directly, by the tick log's tail on every replica
 * when the log is the ack point.
 */
export class TickFanOut {
  constructor(
    readonly recentTicks: RecentTicks,
    readonly hub: TickHub,
    private readonly listeners: readonly DurableTickListener[],
  ) {}

  deliver(block: TickBlock, batchId: string, origin: TickOrigin): void {
    this.recentTicks.add(block);
    this.hub.publish(block);
    for (const l of this.listeners) l.onDurable(block, batchId, origin);
  }
}
