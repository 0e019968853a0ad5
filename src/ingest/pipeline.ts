/**
 * Maps a stream through an async function with up to `window` calls in flight, yielding results
 * in source order. Ingest uses it so one stream keeps several batches on their way to the store
 * (where they are group-committed with other streams' batches) instead of waiting for each
 * batch to be durable before reading the next. When the window is full it stops reading the
 * source, so HTTP/2 flow control slows the sender.
 */
export async function* pipelined<T, R>(source: AsyncIterable<T>, fn: (item: T) => Promise<R>, window: number): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  const iterator = source[Symbol.asyncIterator]();
  try {
    let done = false;
    while (!done || pending.length > 0) {
      while (!done && pending.length < window) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        const p = fn(next.value);
        // Settled later, in order; until then a rejection must not count as unhandled.
        p.catch(() => undefined);
        pending.push(p);
      }
      if (pending.length > 0) yield await pending.shift()!;
    }
  } finally {
    await iterator.return?.();
  }
}
