import type { QueryTicksResponse, ReplayTicksResponse } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { tickColumnsFields } from "../tick-block/columnar-batch-encoder.js";
import type { MessageEncoder } from "../server/grpc-transport.js";
import { messageField, stringField, type WireField, writeMessage } from "../tick-block/wire-writer.js";

/**
 * Hand-written encoders for the responses that carry megabytes of tick columns (QueryTicks and
 * ReplayTicks chunks): one buffer of the exact size, envelope included, instead of toBinary's
 * copies and the envelope's (tick-block/wire-writer.ts). Byte-identical to toBinary
 * (test/services/wire-encoders.test.ts).
 */
export const RESPONSE_ENCODERS: ReadonlyMap<string, MessageEncoder> = new Map<string, MessageEncoder>([
  [
    "neliti.dataplane.v1.QueryTicksResponse",
    (message, headroom) => {
      const m = message as QueryTicksResponse;
      // Row-wise chunks are many small messages: toBinary's own path.
      if (m.ticks.length > 0) return undefined;
      return writeMessage(m.columns ? [messageField(2, tickColumnsFields(m.columns))] : [], headroom);
    },
  ],
  [
    "neliti.dataplane.v1.ReplayTicksResponse",
    (message, headroom) => {
      const m = message as ReplayTicksResponse;
      const fields: WireField[] = m.columns ? [messageField(1, tickColumnsFields(m.columns))] : [];
      return writeMessage([...fields, stringField(2, m.resumeToken)], headroom);
    },
  ],
]);
