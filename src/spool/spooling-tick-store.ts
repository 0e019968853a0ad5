import { ResourceExhaustedError, UnavailableError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { type InsertOutcome, type TickStore, TickStoreDecorator } from "../ports/tick-store.js";
import type { TickSpool } from "./spool.js";
import type { TickBlock } from "../ports/tick-block.js";

const REPLAY_BACKOFF_MS = 500;
const REPLAY_BACKOFF_MAX_MS = 5000;

/**
 * Keeps ingest accepting while the tick store is down: a batch the store cannot take
 * (UNAVAILABLE) goes to the local spool and is acknowledged "spooled"; while the spool holds
 * anything, new batches queue behind it so the store receives them in arrival order. A replayer
 * drains the spool into the store as soon as it answers again, and at start after a crash.
 * Past the spool's byte bound, ingest answers RESOURCE_EXHAUSTED.
 */
export class SpoolingTickStore extends TickStoreDecorator {
  private readonly spooledIds = new Set<string>();
  private replaying: Promise<void> | undefined;
  private closed = false;

  constructor(
    inner: TickStore,
    private readonly spool: TickSpool,
    private readonly log: Logger,
  ) {
    super(inner);
    if (!spool.isEmpty) this.startReplay();
  }

  override async insert(batchId: string, block: TickBlock, signal?: AbortSignal): Promise<InsertOutcome> {
    if (this.spooledIds.has(batchId)) return "duplicate";
    if (this.spool.isEmpty) {
      try {
        return await this.inner.insert(batchId, block, signal);
      } catch (err) {
        if (!(err instanceof UnavailableError)) throw err;
        this.log.warn({ err: err.message }, "tick store unavailable: spooling");
      }
    }
    if (!(await this.spool.append(batchId, block))) {
      throw new ResourceExhaustedError(`the ingest spool is full (${this.spool.maxBytes} bytes) while the tick store is unavailable`, 1000);
    }
    this.spooledIds.add(batchId);
    this.startReplay();
    return "spooled";
  }

  private startReplay(): void {
    this.replaying ??= this.replaySpool().finally(() => (this.replaying = undefined));
  }

  private async replaySpool(): Promise<void> {
    let backoff = REPLAY_BACKOFF_MS;
    while (!this.closed) {
      const next = await this.spool.peek();
      if (!next) return;
      try {
        await this.inner.insert(next.entry.batchId, next.entry.block, undefined, { verify: true });
        await this.spool.advance(next.next);
        this.spooledIds.delete(next.entry.batchId);
        backoff = REPLAY_BACKOFF_MS;
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : String(err), backlog: this.spool.size }, "spool replay waiting for the tick store");
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, REPLAY_BACKOFF_MAX_MS);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.spool.close();
  }
}
