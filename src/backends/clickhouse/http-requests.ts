import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { addAbortSignal } from "node:stream";
import { SocketReads } from "./socket-reads.js";
import type { BoundQuery } from "./sql.js";

export type ClickHouseHttpOptions = {
  /** Sockets kept to the server (CLICKHOUSE_MAX_CONNECTIONS). */
  maxSockets: number;
  /** A socket silent this long fails the query (CLICKHOUSE_REQUEST_TIMEOUT_MS). */
  timeoutMs: number;
  /** Server settings sent with every query. */
  settings: Record<string, string | number>;
};

/** A ClickHouse exception: `code` is its number as text, as @clickhouse/client's errors carry it (errors.ts reads it). */
export class ClickHouseServerError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * The tick store's lookups (SELECTs answered as JSONEachRow), its INSERTs and its Native bulk
 * reads (`stream`), over ClickHouse's HTTP interface: lookups and INSERTs on node:http keep-alive
 * sockets. The store keeps @clickhouse/client for migrations, capability detection and the
 * row-wise JSON range read; lookups and INSERTs come here because that
 * client waits a `setTimeout(0)` before every request (clickhouse-js PR 296), clamped by Node to
 * 1 ms: a `SELECT 1` costs 2.0-2.7 ms through it and 0.41-0.47 ms through node:http on the same
 * socket (bench/RESULTS.md), and both sit on latency paths (each ingest flush is a deduplication
 * lookup and an INSERT; as-of, recent ticks, candles). The requests are the ones that client
 * sends: settings, `database` and `param_*` values in the URL, basic auth from the URL's user; a
 * lookup's statement as the body, an INSERT's in the URL with its data as the body.
 */
export class ClickHouseHttp {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly target: { hostname: string; port: string; auth: string | undefined; search: URLSearchParams };

  constructor(url: string, private readonly options: ClickHouseHttpOptions) {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`a ClickHouse URL is http: or https:, not ${u.protocol}`);
    this.transport = u.protocol === "https:" ? https : http;
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(options.settings)) search.set(k, String(v));
    const database = decodeURIComponent(u.pathname.slice(1));
    if (database !== "" && database !== "default") search.set("database", database);
    const auth = u.username === "" ? undefined : `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}`;
    this.target = { hostname: u.hostname, port: u.port || (u.protocol === "https:" ? "443" : "80"), auth, search };
    // An idle socket is closed before the server would close it (servers before 23.x keep idle
    // connections 3 s, and Node shortens this further to a server's announced Keep-Alive timeout
    // less a second): a request then rarely meets a socket the server is closing.
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: options.maxSockets, timeout: IDLE_SOCKET_MS });
  }

  async rows<Row>(q: BoundQuery, signal?: AbortSignal): Promise<Row[]> {
    const search = this.searchOf(q);
    const body = `${q.query}\nFORMAT JSONEachRow`;
    // A kept-alive socket that the server closed as the request went out (rare, see the agent's
    // idle timeout) never delivered it: a lookup is asked again, once, on a new socket. An INSERT
    // is not: its caller's retry checks what was stored.
    const text = await this.post(search, body, signal).catch((err: unknown) => {
      if (err instanceof StaleSocketError) return this.post(search, body, signal);
      throw err;
    });
    const rows: Row[] = [];
    for (const line of text.split("\n")) {
      if (line === "") continue;
      // A query that fails after its first rows were sent ends a 200 answer with the exception.
      if (line.startsWith("Code: ")) throw serverError(line);
      rows.push(JSON.parse(line) as Row);
    }
    return rows;
  }

  /**
   * Sends `data` as the rows of `statement` (an `INSERT ... FORMAT X`); resolves once the server
   * has answered, so the caller may reuse `data`'s memory then and not before.
   */
  async insert(statement: string, data: Uint8Array, settings: Record<string, string | number> = {}, signal?: AbortSignal): Promise<void> {
    const search = new URLSearchParams(this.target.search);
    for (const [k, v] of Object.entries(settings)) search.set(k, String(v));
    search.set("query", statement);
    await this.post(search, data, signal);
  }

  /**
   * A streamed read (`statement` ends in its FORMAT): resolves once the server has taken it, with
   * the answer's bytes as they arrive; the socket is read only as fast as they are consumed.
   *
   * Over a connection of its own, in HTTP/1.0, so the answer is plain bytes until the server
   * closes: ClickHouse 18.16 cuts an HTTP/1.1 answer into chunks of 4 KiB, and node:http turns
   * each into a parser callback, a Buffer and a stream push. Reading 2M ticks of Native in process
   * cost 0.10-0.16 us a tick this way against 0.15-0.23 through node:http (bench/RESULTS.md). The
   * connect (and TLS handshake) per read is small beside a bulk read, and beside the 1 ms+ that
   * @clickhouse/client, which these reads used before, waits before every request. The bytes are
   * read into large slabs (SocketReads), so a column received over several reads can still come
   * out as one view.
   */
  async stream(q: BoundQuery, settings: Record<string, string | number>, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const search = this.searchOf(q);
    for (const [k, v] of Object.entries(settings)) search.set(k, String(v));
    const body = Buffer.from(q.query, "utf8");
    const { hostname, port, auth } = this.target;
    const head = [`POST /?${search} HTTP/1.0`, `Host: ${hostname}:${port}`, "Content-Type: text/plain; charset=utf-8", `Content-Length: ${body.byteLength}`];
    if (auth) head.push(`Authorization: ${auth}`);
    const reads = new SocketReads({ host: hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(port), tls: this.transport === https });
    const socket = reads.socket;
    // The same words as @clickhouse/client's timeout, which errors.ts counts as unavailable.
    socket.setTimeout(this.options.timeoutMs, () => socket.destroy(new Error("Timeout error.")));
    if (signal) addAbortSignal(signal, socket);
    socket.write(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"), body]));
    try {
      let received: Buffer = Buffer.alloc(0);
      let end = -1;
      while (end < 0) {
        const next = await reads.next();
        if (next.done) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        received = received.length === 0 ? next.value : Buffer.concat([received, next.value]);
        end = received.indexOf("\r\n\r\n");
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, 16).toString("latin1"))?.[1];
      const rest = received.subarray(end + 4);
      if (status !== "200") {
        const text = [rest];
        for (let next = await reads.next(); !next.done; next = await reads.next()) text.push(next.value);
        throw serverError(Buffer.concat(text).toString("utf8").trim() || `HTTP ${status ?? "answer not understood"}`);
      }
      // From here the reader sets the pace (a paced replay may wait long between reads): the
      // caller's signal, not an idle timeout, ends a read it no longer wants.
      socket.setTimeout(0);
      return bodyOf(rest, reads, socket);
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  /** The shared settings, and the statement's parameters as `param_*`. */
  private searchOf(q: BoundQuery): URLSearchParams {
    const search = new URLSearchParams(this.target.search);
    for (const [k, v] of Object.entries(q.params)) search.set(`param_${k}`, paramText(v));
    return search;
  }

  private post(search: URLSearchParams, body: string | Uint8Array, signal: AbortSignal | undefined): Promise<string> {
    const { hostname, port, auth } = this.target;
    const path = `/?${search}`;
    const headers: http.OutgoingHttpHeaders = { "content-type": "text/plain; charset=utf-8", "content-length": typeof body === "string" ? Buffer.byteLength(body) : body.byteLength };
    if (auth) headers.authorization = auth;
    return new Promise((resolve, reject) => {
      const req = this.transport.request({ agent: this.agent, hostname, port, path, method: "POST", headers, signal, timeout: this.options.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.once("error", reject);
        res.once("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode === 200) resolve(text);
          else reject(serverError(text.trim() || `HTTP ${res.statusCode}`));
        });
      });
      // The same words as @clickhouse/client's timeout, which errors.ts counts as unavailable.
      req.once("timeout", () => req.destroy(new Error("Timeout error.")));
      req.once("error", (err: NodeJS.ErrnoException) => reject(req.reusedSocket && err.code === "ECONNRESET" ? new StaleSocketError(err) : err));
      req.end(body);
    });
  }
}

/** The bytes after the answer's head; the connection is closed when they end or the reader stops. */
async function* bodyOf(first: Buffer, rest: AsyncIterator<Buffer>, socket: net.Socket): AsyncGenerator<Uint8Array> {
  try {
    if (first.length > 0) yield first;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    socket.destroy();
  }
}

/** A kept-alive socket the server had closed: reset before any answer came. */
class StaleSocketError extends Error {
  readonly code = "ECONNRESET";
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

const IDLE_SOCKET_MS = 2500;

function serverError(text: string): ClickHouseServerError {
  return new ClickHouseServerError(text, /^Code: (\d+)/.exec(text)?.[1] ?? "");
}

/**
 * A query parameter's value in ClickHouse's escaped text form, as the server parses `param_*`:
 * the characters that end or escape a value are written as escapes, so a value is only ever data.
 */
export function paramText(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value !== "string") throw new TypeError(`unsupported query parameter: ${typeof value}`);
  return value.replace(/[\t\n\r'\\]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "'": "\\'", "\\": "\\\\" };
