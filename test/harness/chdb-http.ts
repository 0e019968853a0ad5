import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The part of chdb's Session this endpoint uses (chdb is installed for this check only). */
export type ChdbSession = {
  queryBindAsync(query: string, params: object, opts?: { format?: string }): Promise<{ bytes(): Uint8Array }>;
  cleanup?(): void;
};

/** URL parameters of ClickHouse's HTTP interface that are the client's business, not settings. */
const NOT_SETTINGS = new Set(["query", "database", "query_id", "default_format", "session_id", "session_timeout", "session_check", "user", "password", "compress", "decompress", "enable_http_compression", "wait_end_of_query", "send_progress_in_http_headers", "http_headers_progress_interval_ms"]);

/**
 * A small HTTP endpoint in front of an in-process current ClickHouse engine (chdb), so the
 * adapter's own client (@clickhouse/client) and its contract suite run unchanged against the
 * current engine. What it reproduces of ClickHouse's HTTP interface: the query from the body or
 * the `query` parameter, `database`, `param_*` query parameters (bound server-side, as the
 * interface does), other parameters as settings, INSERT ... FORMAT with the data in the body
 * (handed to the engine through a file), /ping, and errors as HTTP 500 with the exception code
 * header. What it does not: compression (responses are sent plain, which the client accepts),
 * streaming (a result is produced whole, then sent), progress headers, sessions, concurrency
 * (requests run one at a time: chdb has one session), authentication (ignored).
 */
export async function startChdbHttp(session: ChdbSession): Promise<{ url: string; close(): Promise<void> }> {
  const spool = mkdtempSync(join(tmpdir(), "neliti-chdb-http-"));
  let queue: Promise<unknown> = Promise.resolve();
  let n = 0;
  const server = createServer((req, res) => {
    const run = queue.then(() => handle(req, res));
    queue = run.catch(() => undefined);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (url.pathname === "/ping") {
      res.end("Ok.\n");
      return;
    }
    const params: Record<string, string> = {};
    const settings: string[] = [];
    for (const [k, v] of url.searchParams) {
      if (k.startsWith("param_")) params[k.slice(6)] = unescape(v);
      else if (!NOT_SETTINGS.has(k)) settings.push(`${k} = ${/^-?\d+(\.\d+)?$/.test(v) ? v : `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`}`);
    }
    let query = url.searchParams.get("query") ?? "";
    if (query === "") query = body.toString("utf8");
    else if (body.length > 0) {
      // INSERT ... FORMAT X with the data as the body: the engine reads the data from a file.
      const m = /^\s*(INSERT\s+INTO\s+.+?)\s+FORMAT\s+(\w+)\s*$/is.exec(query);
      if (!m) return fail(res, 62, `this endpoint takes data only for INSERT ... FORMAT: ${query.slice(0, 80)}`);
      const file = join(spool, `insert-${n++}`);
      writeFileSync(file, body);
      query = `${m[1]} SELECT * FROM file('${file}', '${m[2]}')`;
    }
    const database = url.searchParams.get("database");
    try {
      if (database) await session.queryBindAsync(`USE ${database}`, {});
      const result = await session.queryBindAsync(settings.length > 0 ? withSettingsClause(query, settings) : query, params);
      res.setHeader("X-ClickHouse-Format", formatOf(query) ?? "TabSeparated");
      res.end(Buffer.from(result.bytes()));
    } catch (err) {
      const text = (err instanceof Error ? err.message : String(err)).replace(/^Query failed: /, "");
      return fail(res, Number(/Code: (\d+)/.exec(text)?.[1] ?? 1001), text);
    }
  }

  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise((r) => server.close(r));
      rmSync(spool, { recursive: true, force: true });
    },
  };
}

/** HTTP query parameter values come in ClickHouse's escaped (TabSeparated) form; chdb binds raw values. */
const ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f", a: "\u0007", v: "\v", "0": "\u0000" };
function unescape(v: string): string {
  return v.replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c);
}

function fail(res: ServerResponse, code: number, text: string): void {
  res.statusCode = 500;
  res.setHeader("X-ClickHouse-Exception-Code", String(code));
  res.end(text.startsWith("Code:") ? text : `Code: ${code}. DB::Exception: ${text}`);
}

const formatOf = (query: string) => /\bFORMAT\s+(\w+)\s*;?\s*$/i.exec(query)?.[1];

/** Settings go in a SETTINGS clause before a trailing FORMAT, or at the end; DDL takes none. */
function withSettingsClause(query: string, settings: string[]): string {
  if (/^\s*(CREATE|DROP|ALTER|USE|SET|RENAME|TRUNCATE|EXCHANGE)\b/i.test(query)) return query;
  const clause = ` SETTINGS ${settings.join(", ")}`;
  const format = /\s+FORMAT\s+\w+\s*;?\s*$/i.exec(query);
  if (format) return `${query.slice(0, format.index)}${clause}${query.slice(format.index)}`;
  return `${query.replace(/;\s*$/, "")}${clause}`;
}
