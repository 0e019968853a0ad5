type Waiting<T, R> = { items: readonly T[]; settled: boolean; resolve(results: R[]): void; reject(err: unknown): void };

/** How long a caller may wait in all, and what it is told when that runs out or its send cannot happen. */
export type SenderDeadline = {
  /** From submit to answer: waiting for earlier sends plus its own. */
  ms: number;
  /** The caller's items were never sent (time ran out while waiting, or an earlier send failed): retrying is safe. */
  notSent(reason: "expired" | "earlier-send-failed", cause?: unknown): Error;
  /** Time ran out while the caller's items were being sent: the broker may or may not have them. */
  inFlight(): Error;
};

/**
 * Keeps one send in flight and merges what callers submit meanwhile into the next send, each
 * caller getting the results of its own items.
 *
 * Why: @platformatic/kafka's idempotent producer numbers each send's records when it builds the
 * request, and concurrent sends to one partition can reach the broker out of order. The broker
 * then refuses them (OUT_OF_ORDER_SEQUENCE_NUMBER, seen here with four Publish calls in flight)
 * or, as upstream issue platformatic/kafka#326 reports, acknowledges records it dropped. One send
 * at a time keeps sequence numbers in order; merging keeps the throughput that concurrency gave.
 *
 * A failed send fails every caller merged into it with the send's error, and every caller
 * waiting with `notSent` (they would meet the same broker): none of them is acknowledged. Each
 * caller also has its own deadline, so waiting behind a slow send never takes it past
 * `deadline.ms`: at the deadline it is answered `notSent` if it was still waiting, `inFlight` if
 * its send had started (the send goes on; its result no longer reaches that caller).
 */
export class SerialSender<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private sending = false;

  constructor(
    private readonly send: (items: T[]) => Promise<R[]>,
    private readonly bytesOf: (item: T) => number,
    /** A merged send stays under this (a caller's own larger batch goes alone). */
    private readonly maxBytes: number,
    private readonly deadline: SenderDeadline,
  ) {}

  submit(items: readonly T[]): Promise<R[]> {
    return new Promise((resolve, reject) => {
      const settle = () => {
        w.settled = true;
        clearTimeout(timer);
      };
      const w: Waiting<T, R> = {
        items,
        settled: false,
        resolve: (results) => w.settled || (settle(), resolve(results)),
        reject: (err) => w.settled || (settle(), reject(err)),
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(w);
        if (at >= 0) this.waiting.splice(at, 1);
        w.reject(at >= 0 ? this.deadline.notSent("expired") : this.deadline.inFlight());
      }, this.deadline.ms);
      this.waiting.push(w);
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.waiting.length > 0) {
      const round = this.takeRound();
      try {
        const results = await this.send(round.flatMap((w) => w.items));
        let at = 0;
        for (const w of round) {
          w.resolve(results.slice(at, at + w.items.length));
          at += w.items.length;
        }
      } catch (err) {
        for (const w of round) w.reject(err);
        for (const w of this.waiting.splice(0)) w.reject(this.deadline.notSent("earlier-send-failed", err));
      }
    }
    this.sending = false;
  }

  private takeRound(): Waiting<T, R>[] {
    let bytes = 0;
    let n = 0;
    for (const w of this.waiting) {
      const size = w.items.reduce((sum, item) => sum + this.bytesOf(item), 0);
      if (n > 0 && bytes + size > this.maxBytes) break;
      bytes += size;
      n++;
    }
    return this.waiting.splice(0, n);
  }
}
