import type { TickBlock } from "../src/ports/tick-block.js";

/**
 * RowBinary encoding of ticks for the ingest bench's direct baseline (the one the tick issue names:
 * a direct RowBinary insert), written as a careful direct user would: straight from the columns,
 * cached string bytes, no BigInt per value. Column order is TICK_COLUMNS
 * (src/backends/clickhouse/native-block.ts). Strings are LEB128
 * length + UTF-8 bytes; integers and floats little-endian.
 */

const FIXED_BYTES = 1 + 8 + 8 * 4 + 4;

export class RowBinaryEncoder {
  private readonly encoded = new Map<string, Buffer>();

  /** The string's RowBinary bytes, cached: symbols and brokers repeat in every batch. */
  private stringBytes(s: string): Buffer {
    let b = this.encoded.get(s);
    if (!b) {
      const utf8 = Buffer.from(s, "utf8");
      const len: number[] = [];
      let n = utf8.length;
      do {
        let byte = n & 0x7f;
        n >>>= 7;
        if (n > 0) byte |= 0x80;
        len.push(byte);
      } while (n > 0);
      b = Buffer.concat([Buffer.from(len), utf8]);
      if (this.encoded.size > 50_000) this.encoded.clear();
      this.encoded.set(s, b);
    }
    return b;
  }

  encode(batches: readonly { batchId: string; block: TickBlock }[]): Buffer {
    let size = 0;
    // Each batch's dictionaries encoded once, then indexed per row.
    const dictionaries = batches.map(({ block }) => ({ symbols: block.symbols.map((x) => this.stringBytes(x)), brokers: block.brokers.map((x) => this.stringBytes(x)) }));
    batches.forEach(({ batchId, block }, k) => {
      const id = this.stringBytes(batchId).length;
      const { symbols, brokers } = dictionaries[k]!;
      for (let i = 0; i < block.length; i++) size += symbols[block.symbolIndex[i]!]!.length + brokers[block.brokerIndex[i]!]!.length + FIXED_BYTES + id;
    });
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    for (const [k, { batchId, block }] of batches.entries()) {
      const id = this.stringBytes(batchId);
      const { symbols, brokers } = dictionaries[k]!;
      for (let i = 0; i < block.length; i++) {
        o += symbols[block.symbolIndex[i]!]!.copy(out, o);
        o += brokers[block.brokerIndex[i]!]!.copy(out, o);
        out[o++] = block.accountType[i]!;
        // Int64 as two 32-bit halves: exact for any integer below 2^53, and no BigInt per tick.
        const t = block.timeMsc[i]!;
        const hi = Math.floor(t / 4294967296);
        o = out.writeUInt32LE(t - hi * 4294967296, o);
        o = out.writeInt32LE(hi, o);
        o = out.writeDoubleLE(block.bid[i]!, o);
        o = out.writeDoubleLE(block.ask[i]!, o);
        o = out.writeDoubleLE(block.last[i]!, o);
        o = out.writeDoubleLE(block.volume[i]!, o);
        o = out.writeUInt32LE(block.flags[i]!, o);
        o += id.copy(out, o);
      }
    }
    return out;
  }
}
