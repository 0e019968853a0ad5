/**
 * Group commit: collects entries submitted by many concurrent callers (ingest streams) and
 * flushes them together, when `maxRows` have gathered or `maxDelayMs` after the first one,
 * whichever comes first. Full flushes run up to `concurrency` at a time; a partial one (its delay
 * is up) waits until no flush is in flight, so under load rows gather into full flushes (fewer,
 * larger INSERTs: less work per row for the service and for ClickHouse, measured in
 * bench/RESULTS.md) while a lone batch still goes out after `maxDelayMs`. Each caller's promise
 * settles with its entry's own result once its flush is done.
 *
 * Memory is bounded: once `maxPendingRows` are waiting or in flight, `submit` itself waits, so
 * the caller stops reading its stream and HTTP/2 flow control slows the producer down.
 */
export type GroupCommitOptions = { maxRows: number; maxDelayMs: number; maxPendingRows: number; concurrency: number };

type Pending<E, R> = { entry: E; rows: number; resolve(r: R): void; reject(e: unknown): void };

export class GroupCommit<E, R> {
  private queue: Pending<E, R>[] = [];
  private queuedRows = 0;
  private inflightRows = 0;
  private inflight = 0;
  private timer: NodeJS.Timeout | undefined;
  private due = false;
  private readonly roomWaiters: (() => void)[] = [];

  constructor(
    private readonly opts: GroupCommitOptions,
    private readonly flush: (entries: E[]) => Promise<R[]>,
  ) {}

  get pendingRows(): number {
    return this.queuedRows + this.inflightRows;
  }

  async submit(entry: E, rows: number): Promise<R> {
    while (this.pendingRows > 0 && this.pendingRows + rows > this.opts.maxPendingRows) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ entry, rows, resolve, reject });
      this.queuedRows += rows;
      if (this.queuedRows >= this.opts.maxRows) this.kick();
      else this.timer ??= setTimeout(() => this.onTimer(), this.opts.maxDelayMs);
    });
  }

  private onTimer(): void {
    this.timer = undefined;
    this.due = true;
    this.kick();
  }

  private canStart(): boolean {
    if (this.queue.length === 0) return false;
    if (this.queuedRows >= this.opts.maxRows) return this.inflight < this.opts.concurrency;
    return this.due && this.inflight === 0;
  }

  private kick(): void {
    while (this.canStart()) {
      const taken: Pending<E, R>[] = [];
      let rows = 0;
      while (this.queue.length > 0 && (taken.length === 0 || rows + this.queue[0]!.rows <= this.opts.maxRows)) {
        const p = this.queue.shift()!;
        taken.push(p);
        rows += p.rows;
      }
      this.queuedRows -= rows;
      this.inflightRows += rows;
      this.inflight++;
      if (this.queue.length === 0) {
        this.due = false;
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      void this.run(taken, rows);
    }
  }

  private async run(taken: Pending<E, R>[], rows: number): Promise<void> {
    try {
      const results = await this.flush(taken.map((p) => p.entry));
      taken.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of taken) p.reject(err);
    } finally {
      this.inflight--;
      this.inflightRows -= rows;
      for (const wake of this.roomWaiters.splice(0)) wake();
      if (this.canStart()) this.kick();
      else if (this.queue.length > 0 && !this.due) this.timer ??= setTimeout(() => this.onTimer(), this.opts.maxDelayMs);
    }
  }

  /** Flushes whatever is queued now and waits for every flush in flight (shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inflight > 0) {
      this.due = true;
      this.kick();
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }
}
