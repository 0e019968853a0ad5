/** A request stream of one message, for client-streaming and bidi calls. */
export async function* one<T>(message: T): AsyncIterable<T> {
  yield message;
}

/**
 * Reads a server stream in the background: `seen` holds every message so far, and
 * `next(match)` waits for the first one that matches (failing with what it saw).
 */
export function streamReader<T>(stream: AsyncIterable<T>, describe: (m: T) => unknown = (m) => m) {
  const seen: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let error: unknown;
  void (async () => {
    try {
      for await (const m of stream) {
        seen.push(m);
        wake?.();
      }
    } catch (e) {
      error = e;
    } finally {
      ended = true;
      wake?.();
    }
  })();
  return {
    seen,
    get error() {
      return error;
    },
    async next(match: (m: T) => boolean, timeoutMs = 5000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.find(match);
        if (found) return found;
        if (ended || Date.now() > deadline) throw new Error(`no matching message (${ended ? `stream ended: ${String(error)}` : "timed out"}); saw ${JSON.stringify(seen.map(describe), (_, v) => (typeof v === "bigint" ? Number(v) : v))}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    },
  };
}
