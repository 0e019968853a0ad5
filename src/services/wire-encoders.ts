import type { PublishResponse, PublishResult } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import type { GetRecentTicksResponse, QueryTicksResponse, ReplayTicksResponse } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { tickColumnsFields } from "../tick-block/columnar-batch-encoder.js";
import { writeTickList } from "../tick-block/tick-list-encoder.js";
import type { MessageEncoder } from "../server/grpc-transport.js";
import { halves, messageField, stringField, varint64Size, type WireField, writeMessageParts, writeVarint64 } from "../tick-block/wire-writer.js";

/** Columns at least this long are written from where they lie, not copied into the message. */
const VIEW_BYTES = 64 * 1024;

/**
 * Hand-written encoders for the responses that carry megabytes of tick columns (QueryTicks and
 * ReplayTicks chunks): the columns as they lie and one buffer of the exact size for the rest,
 * envelope included, instead of toBinary's copies and the envelope's (tick-block/wire-writer.ts);
 * and for lists of row-wise ticks (GetRecentTicks, row-wise QueryTicks chunks), written by a loop
 * that knows Tick's fields (tick-block/tick-list-encoder.ts); and Publish's answer, one small
 * result per message (up to 10,000), where toBinary's generic walk cost more than the rest of the
 * answer. Byte-identical to toBinary (test/services/wire-encoders.test.ts).
 */
export const RESPONSE_ENCODERS: ReadonlyMap<string, MessageEncoder> = new Map<string, MessageEncoder>([
  [
    "neliti.dataplane.v1.QueryTicksResponse",
    (message, headroom) => {
      const m = message as QueryTicksResponse;
      // A chunk is either row-wise or columnar, never both.
      if (m.ticks.length > 0 && m.columns === undefined) return writeTickList(1, m.ticks, headroom);
      if (m.ticks.length > 0) return undefined;
      return writeMessageParts(m.columns ? [messageField(2, tickColumnsFields(m.columns))] : [], headroom, VIEW_BYTES);
    },
  ],
  ["neliti.dataplane.v1.GetRecentTicksResponse", (message, headroom) => writeTickList(1, (message as GetRecentTicksResponse).ticks, headroom)],
  [
    "neliti.dataplane.v1.ReplayTicksResponse",
    (message, headroom) => {
      const m = message as ReplayTicksResponse;
      const fields: WireField[] = m.columns ? [messageField(1, tickColumnsFields(m.columns))] : [];
      return writeMessageParts([...fields, stringField(2, m.resumeToken)], headroom, VIEW_BYTES);
    },
  ],
  ["neliti.dataplane.v1.PublishResponse", (message, headroom) => writePublishResults((message as PublishResponse).results, headroom)],
]);

/** PublishResponse: field 1 repeated, each PublishResult { int32 partition = 1; int64 offset = 2 }. */
function writePublishResults(results: readonly PublishResult[], headroom: number): Uint8Array {
  // A result is at most 22 bytes, so each one's length fits in a single byte.
  const sizes = new Uint8Array(results.length);
  let total = 0;
  for (let i = 0; i < results.length; i++) total += 2 + (sizes[i] = resultSize(results[i]!));
  const out = new Uint8Array(headroom + total);
  let pos = headroom;
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    out[pos++] = (1 << 3) | 2;
    out[pos++] = sizes[i]!;
    if (r.partition !== 0) {
      out[pos++] = 1 << 3;
      pos = writeVarint64(out, pos, ...int32Halves(r.partition));
    }
    if (r.offset !== 0n) {
      out[pos++] = 2 << 3;
      pos = writeVarint64(out, pos, ...halves(r.offset));
    }
  }
  return out;
}

const resultSize = (r: PublishResult) => (r.partition === 0 ? 0 : 1 + varint64Size(...int32Halves(r.partition))) + (r.offset === 0n ? 0 : 1 + varint64Size(...halves(r.offset)));

/** An int32 as protobuf writes it: sign-extended to 64 bits (a negative one takes ten bytes). */
const int32Halves = (v: number): [lo: number, hi: number] => [v >>> 0, v < 0 ? 0xffffffff : 0];
