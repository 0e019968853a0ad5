/**
 * Maps a stream through an async function with up to `window` calls in flight, yielding results
 * in source order as soon as each is ready. Ingest uses it so one stream keeps several batches on
 * their way to the store (where they are group-committed with other streams' batches) instead of
 * waiting for each batch to be durable before reading the next. It never waits for more input
 * before answering what it has: a client that sends only after an ack gets that ack. When the
 * window is full it stops reading the source, so HTTP/2 flow control slows the sender.
 */
export async function* pipelined<T, R>(source: AsyncIterable<T>, fn: (item: T) => Promise<R>, window: number): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<R>[] = [];
  let next: Promise<IteratorResult<T>> | undefined;
  let done = false;
  try {
    while (!done || pending.length > 0) {
      if (!done && next === undefined && pending.length < window) next = iterator.next();
      const head = pending[0];
      const ready = await Promise.race([
        ...(head ? [head.then(settledHead, settledHead)] : []),
        ...(next ? [next.then(() => "input" as const)] : []),
      ]);
      if (ready === "input") {
        const item = await next!;
        next = undefined;
        if (item.done) {
          done = true;
          continue;
        }
        const p = fn(item.value);
        // Settled later, in order; until then a rejection must not count as unhandled.
        p.catch(() => undefined);
        pending.push(p);
      } else {
        yield await pending.shift()!;
      }
    }
  } finally {
    await iterator.return?.();
  }
}

const settledHead = () => "head" as const;
