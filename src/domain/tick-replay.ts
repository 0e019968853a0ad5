import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { InvalidArgumentError } from "../errors.js";
import { chunkTimeAt, sliceColumnChunk } from "../tick-block/column-chunk.js";
import type { TickColumnChunk, TickStore } from "../ports/tick-store.js";

export type ReplayRequest = {
  symbols: readonly string[];
  brokers: readonly string[];
  startMsc: number;
  endMsc: number;
  /** 0: as fast as possible; N: N times real time. */
  pace: number;
  chunkSize: number;
  resumeToken: string;
};

export type ReplayChunk = { columns: TickColumnChunk; resumeToken: string };

/** Where a replay stands: the time of the last tick sent, and how many ticks of that time were sent. */
type Position = { timeMsc: number; sentAtTime: number };

/** A paced replay sends what has come due at most this often (wall time). */
const PACED_SLICE_MS = 10;

/**
 * A replay's identity, so a token is only honoured by the replay that issued it: the series and
 * the range, not the pace or chunk size (a replay may resume faster or in larger chunks).
 */
function replayId(r: ReplayRequest): string {
  return createHash("sha256").update(JSON.stringify([r.symbols, r.brokers, r.startMsc, r.endMsc])).digest("base64url").slice(0, 16);
}

function encodeToken(r: ReplayRequest, p: Position): string {
  return Buffer.from(JSON.stringify({ r: replayId(r), t: p.timeMsc, k: p.sentAtTime })).toString("base64url");
}

function decodeToken(r: ReplayRequest): Position | undefined {
  if (r.resumeToken === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(r.resumeToken, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const t = parsed as { r?: unknown; t?: unknown; k?: unknown } | undefined;
  if (!t || t.r !== replayId(r) || !Number.isSafeInteger(t.t) || !Number.isSafeInteger(t.k) || (t.k as number) < 1) {
    throw InvalidArgumentError.field("resume_token", "is not a token of this replay (same symbols, brokers and range)");
  }
  if ((t.t as number) < r.startMsc || (t.t as number) >= r.endMsc) throw InvalidArgumentError.field("resume_token", "lies outside the replay's range");
  return { timeMsc: t.t as number, sentAtTime: t.k as number };
}

/** The position after sending `c`, coming from `before`. */
function advance(before: Position | undefined, c: TickColumnChunk): Position {
  const last = chunkTimeAt(c, c.length - 1);
  let same = 1;
  while (same < c.length && chunkTimeAt(c, c.length - 1 - same) === last) same++;
  const carried = same === c.length && before?.timeMsc === last ? before.sentAtTime : 0;
  return { timeMsc: last, sentAtTime: carried + same };
}

/** Pieces of `c` that each span at most `spanMs` of tick time. */
function* byTime(c: TickColumnChunk, spanMs: number): Iterable<TickColumnChunk> {
  let from = 0;
  while (from < c.length) {
    const start = chunkTimeAt(c, from);
    let to = from + 1;
    while (to < c.length && chunkTimeAt(c, to) - start < spanMs) to++;
    yield sliceColumnChunk(c, from, to);
    from = to;
  }
}

/**
 * A replay of merged series from the store, resumable after any chunk: the token holds the last
 * tick time sent and how many ticks of that time were sent, and the store's replay order (time,
 * then symbol, broker and values) is the same on every read, so resuming skips exactly those.
 * Paced replays send each tick once its time, scaled by the pace, has come since the first tick.
 */
export async function* replayTicks(store: TickStore, r: ReplayRequest, signal?: AbortSignal): AsyncIterable<ReplayChunk> {
  let position = decodeToken(r);
  const chunks = store.replay(
    { symbols: r.symbols, brokers: r.brokers, startMsc: position?.timeMsc ?? r.startMsc, endMsc: r.endMsc, chunkSize: r.chunkSize, skip: position?.sentAtTime ?? 0 },
    signal,
  );
  let origin: { tickMs: number; wallMs: number } | undefined;
  for await (const chunk of chunks) {
    for (const piece of r.pace > 0 ? byTime(chunk, PACED_SLICE_MS * r.pace) : [chunk]) {
      if (r.pace > 0) {
        const first = chunkTimeAt(piece, 0);
        origin ??= { tickMs: first, wallMs: performance.now() };
        const due = origin.wallMs + (first - origin.tickMs) / r.pace - performance.now();
        if (due > 0) await sleep(due, undefined, { signal });
      }
      position = advance(position, piece);
      yield { columns: piece, resumeToken: encodeToken(r, position) };
    }
  }
}
