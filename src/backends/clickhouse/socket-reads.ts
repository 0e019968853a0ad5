import net from "node:net";
import tls from "node:tls";

/** Bytes received and not yet taken above which the socket stops reading (backpressure). */
const HIGH_WATER_BYTES = 4 << 20;
/** Plain-TCP reads go into slabs of this size, one after another... */
const SLAB_BYTES = 4 << 20;
/** ...and a slab with less room than this left is retired for a new one. */
const MIN_READ_BYTES = 64 << 10;

export type ConnectTarget = { host: string; port: number; tls: boolean };

/**
 * A connection whose received bytes are taken with `next()`, read only as fast as they are taken.
 *
 * Over plain TCP the kernel's bytes are read straight into large slabs (net's `onread`), each read
 * just after the previous one in the same slab: no Buffer is allocated per read, and reads that
 * follow each other come out as views that a consumer can join without copying (the Native
 * reader does), so a column reaches the gRPC writer without a copy. A socket stream allocates a
 * 64 KiB buffer per read and the reader then copied each column out of them (bench/RESULTS.md,
 * slab reads). TLS keeps the socket stream, since the bytes read there are not yet the plaintext.
 */
export class SocketReads implements AsyncIterator<Buffer> {
  readonly socket: net.Socket;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private paused = false;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(target: ConnectTarget) {
    if (target.tls) {
      this.socket = tls.connect({ host: target.host, port: target.port, servername: net.isIP(target.host) ? undefined : target.host });
      this.socket.on("data", (chunk: Buffer) => {
        if (!this.take(chunk)) this.socket.pause();
      });
    } else {
      let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      let used = 0;
      this.socket = net.connect({
        host: target.host,
        port: target.port,
        onread: {
          buffer: () => {
            if (SLAB_BYTES - used < MIN_READ_BYTES) {
              slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
              used = 0;
            }
            return slab.subarray(used);
          },
          // Returning false stops reading until resume().
          callback: (n, into) => {
            used += n;
            return this.take((into as Buffer).subarray(0, n));
          },
        },
      });
      // Flowing, so that the end of the stream is announced; with onread no 'data' is emitted.
      this.socket.resume();
    }
    this.socket.on("end", () => this.finish());
    this.socket.on("close", () => this.finish());
    this.socket.on("error", (err) => this.finish(err));
  }

  async next(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        this.queued -= chunk.byteLength;
        if (this.paused && this.queued < HIGH_WATER_BYTES / 2) {
          this.paused = false;
          this.socket.resume();
        }
        return { done: false, value: chunk };
      }
      if (this.failure) throw this.failure;
      if (this.ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Queues a received chunk; false when the socket should stop reading. */
  private take(chunk: Buffer): boolean {
    this.queue.push(chunk);
    this.queued += chunk.byteLength;
    this.notify();
    if (this.queued < HIGH_WATER_BYTES) return true;
    this.paused = true;
    return false;
  }

  private finish(err?: Error): void {
    this.failure ??= err;
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
