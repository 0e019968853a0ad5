/**
 * A gRPC length-prefixed frame as a client could send it, right or wrong: any flags byte, any
 * declared length (not necessarily the payload's), then the payload.
 */
export function grpcFrame(flags: number, declaredLength: number, payload: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, declaredLength);
  out.set(payload, 5);
  return out;
}
