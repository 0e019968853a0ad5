import { Code, ConnectError } from "@connectrpc/connect";

/**
 * gRPC's length-prefixed messages: one flag byte (bit 0: compressed), a big-endian uint32 length,
 * the payload. The gRPC transport accepts only uncompressed requests (compressed ones are served
 * by connect-node), so a set compression flag is a client error here.
 */
export class EnvelopeReader {
  private pending: Buffer | undefined;

  constructor(private readonly maxBytes: number) {}

  /** The complete payloads in `chunk` (and what was pending before it). */
  push(chunk: Buffer): Buffer[] {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (data.length >= 5) {
      const flags = data[0]!;
      if (flags !== 0) throw new ConnectError(`protocol error: envelope flags ${flags} (compressed without a grpc-encoding?)`, Code.InvalidArgument);
      const length = data.readUInt32BE(1);
      if (length > this.maxBytes) throw new ConnectError(`message size ${length} is larger than the limit of ${this.maxBytes} bytes`, Code.ResourceExhausted);
      if (data.length < 5 + length) break;
      out.push(data.subarray(5, 5 + length));
      data = data.subarray(5 + length);
    }
    this.pending = data.length > 0 ? data : undefined;
    return out;
  }

  /** At the end of the request body: a partial envelope left over is a truncated request. */
  end(): void {
    if (this.pending) throw new ConnectError(`protocol error: the request ended inside a message (${this.pending.length} bytes left over)`, Code.InvalidArgument);
  }
}

/** One uncompressed envelope around `payload`. */
export function envelope(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out[0] = 0;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}
