import type { TickBlock } from "../ports/tick-block.js";
import type { TickColumnChunk } from "../ports/tick-store.js";
import { columnsOfBlock } from "./column-chunk.js";
import { bytesField, messageField, repeatedStrings, stringField, type WireField, writeMessage } from "./wire-writer.js";

/** The fields of a TickColumns message (tick.proto), from columns already in their wire form. */
export function tickColumnsFields(c: Omit<TickColumnChunk, "length">): WireField[] {
  return [
    ...repeatedStrings(1, c.symbols),
    ...repeatedStrings(2, c.brokers),
    bytesField(3, c.symbolIndex),
    bytesField(4, c.brokerIndex),
    bytesField(5, c.accountType),
    bytesField(6, c.timeMsc),
    bytesField(7, c.bid),
    bytesField(8, c.ask),
    bytesField(9, c.last),
    bytesField(10, c.volume),
    bytesField(11, c.flags),
  ];
}

/**
 * A block as the bytes of a TickBatch { batch_id = 1; columns = 3 } message (the tick log's
 * record), written into one buffer of the exact size (wire-writer.ts says why); byte-identical to
 * toBinary, which test/tick-log/tick-log.test.ts holds it to.
 */
export function encodeColumnarBatch(batchId: string, block: TickBlock): Uint8Array {
  return writeMessage([stringField(1, batchId), messageField(3, tickColumnsFields(columnsOfBlock(block)))]);
}
