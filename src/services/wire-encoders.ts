import type { GetRecentTicksResponse, QueryTicksResponse, ReplayTicksResponse } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { tickColumnsFields } from "../tick-block/columnar-batch-encoder.js";
import { writeTickList } from "../tick-block/tick-list-encoder.js";
import type { MessageEncoder } from "../server/grpc-transport.js";
import { messageField, stringField, type WireField, writeMessageParts } from "../tick-block/wire-writer.js";

/** Columns at least this long are written from where they lie, not copied into the message. */
const VIEW_BYTES = 64 * 1024;

/**
 * Hand-written encoders for the responses that carry megabytes of tick columns (QueryTicks and
 * ReplayTicks chunks): the columns as they lie and one buffer of the exact size for the rest,
 * envelope included, instead of toBinary's copies and the envelope's (tick-block/wire-writer.ts);
 * and for lists of row-wise ticks (GetRecentTicks, row-wise QueryTicks chunks), written by a loop
 * that knows Tick's fields (tick-block/tick-list-encoder.ts). Byte-identical to toBinary (test/services/wire-encoders.test.ts).
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
]);
