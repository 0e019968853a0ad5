type Waiting<T, R> = { items: readonly T[]; resolve(results: R[]): void; reject(err: unknown): void };

/**
 * Keeps one send in flight and merges what callers submit meanwhile into the next send, each
 * caller getting the results of its own items.
 *
 * Why: @platformatic/kafka's idempotent producer numbers each send's records when it builds the
 * request, and concurrent sends to one partition can reach the broker out of order. The broker
 * then refuses them (OUT_OF_ORDER_SEQUENCE_NUMBER, seen here with four Publish calls in flight)
 * or, as upstream issue platformatic/kafka#326 reports, acknowledges records it dropped. One send
 * at a time keeps sequence numbers in order; merging keeps the throughput that concurrency gave.
 * A failed send fails every caller merged into it, and every caller waiting: none of them is
 * acknowledged.
 */
export class SerialSender<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private sending = false;

  constructor(
    private readonly send: (items: T[]) => Promise<R[]>,
    private readonly bytesOf: (item: T) => number,
    /** A merged send stays under this (a caller's own larger batch goes alone). */
    private readonly maxBytes: number,
  ) {}

  submit(items: readonly T[]): Promise<R[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
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
        // Those still waiting would meet the same broker: they fail now rather than each wait out
        // another send's timeout, which could take them past their deadlines.
        for (const w of [...round, ...this.waiting.splice(0)]) w.reject(err);
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
