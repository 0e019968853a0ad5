import { ResourceExhaustedError, UnavailableError } from "../errors.js";
import { selectRows } from "../tick-block/tick-block.js";
import type { TickBlock } from "../ports/tick-block.js";

export type TickFilter = { symbols: ReadonlySet<string>; broker: string | undefined };

/**
 * Live fan-out of ingested ticks. Each subscriber has a bounded queue of batches; a subscriber
 * whose queue is full is ended with RESOURCE_EXHAUSTED, so a slow reader never slows ingest.
 */
export class TickHub {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly queueBatches: number) {}

  publish(block: TickBlock): void {
    for (const s of this.subscribers) {
      // The filter is decided once per dictionary entry, then read per tick.
      const symbolWanted = block.symbols.map((x) => s.filter.symbols.size === 0 || s.filter.symbols.has(x));
      const brokerWanted = block.brokers.map((x) => s.filter.broker === undefined || s.filter.broker === x);
      const picked: number[] = [];
      for (let i = 0; i < block.length; i++) {
        if (symbolWanted[block.symbolIndex[i]!] && brokerWanted[block.brokerIndex[i]!]) picked.push(i);
      }
      if (picked.length === 0) continue;
      if (s.queue.length >= this.queueBatches) {
        s.fail(new ResourceExhaustedError(`subscriber fell more than ${this.queueBatches} batches behind and was dropped`));
        this.subscribers.delete(s);
        continue;
      }
      s.queue.push(picked.length === block.length ? block : selectRows(block, picked));
      s.wake();
    }
  }

  /** Batches for the subscriber until `signal` aborts (or the subscriber is dropped, which throws). */
  async *subscribe(filter: TickFilter, signal: AbortSignal): AsyncGenerator<TickBlock> {
    const s = new Subscriber(filter);
    this.subscribers.add(s);
    const onAbort = () => s.wake();
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        const next = s.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (s.error) throw s.error;
        await s.wait();
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.subscribers.delete(s);
    }
  }

  /** Ends every subscription (shutdown). */
  close(): void {
    for (const s of this.subscribers) s.end();
    this.subscribers.clear();
  }
}

class Subscriber {
  readonly queue: TickBlock[] = [];
  error: Error | undefined;
  private waiter: (() => void) | undefined;

  constructor(readonly filter: TickFilter) {}

  wait(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  fail(err: Error): void {
    this.queue.length = 0;
    this.error = err;
    this.wake();
  }

  end(): void {
    this.fail(new UnavailableError("server shutting down", 1000));
  }
}
