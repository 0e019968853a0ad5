import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { createClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectCapabilities } from "../../../src/backends/clickhouse/capabilities.js";
import { classify } from "../../../src/backends/clickhouse/errors.js";
import { ClickHouseHttp, ClickHouseServerError, paramText } from "../../../src/backends/clickhouse/http-requests.js";
import { ChQuery, raw, str } from "../../../src/backends/clickhouse/sql.js";
import { UnavailableError } from "../../../src/errors.js";
import { describeWithBackend } from "../../harness/backends.js";
import { createTempClickHouseDatabase } from "../../harness/clickhouse.js";

const OPTIONS = { maxSockets: 2, timeoutMs: 5000, settings: { output_format_json_quote_64bit_integers: 0 } };

describe("paramText", () => {
  it("escapes what would end or escape a value, and nothing else", () => {
    expect(paramText("a'b\\c\td\ne\rf")).toBe("a\\'b\\\\c\\td\\ne\\rf");
    expect(paramText("EURUSD ü 😀")).toBe("EURUSD ü 😀");
    expect(paramText(-42)).toBe("-42");
  });

  it("refuses a value it has no text form for", () => {
    expect(() => paramText({})).toThrow(TypeError);
  });
});

describe("ClickHouseHttp's URL", () => {
  it("takes http: and https: (ClickHouse Cloud), and refuses any other scheme", () => {
    for (const url of ["http://ch:8123/ticks", "https://user:p%40ss@example.clickhouse.cloud:8443/"]) new ClickHouseHttp(url, OPTIONS).close();
    expect(() => new ClickHouseHttp("tcp://ch:9000/", OPTIONS)).toThrow(/http: or https:/);
  });
});

describe("ClickHouseHttp's kept-alive sockets", () => {
  it("asks a lookup again on a new socket when the server closed the kept one as the request went out", async () => {
    // A server that answers the first request of each connection and drops the connection at the
    // second, as a server closing an idle connection at that moment does.
    let connections = 0;
    const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      const socket = req.socket as typeof req.socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      if (socket.served > 1) return socket.destroy();
      req.resume();
      req.on("end", () => res.end('{"one":1}\n'));
    });
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const client = new ClickHouseHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, OPTIONS);
    try {
      const lookup = { query: "SELECT 1 AS one", params: {} };
      expect(await client.rows(lookup)).toEqual([{ one: 1 }]);
      expect(await client.rows(lookup)).toEqual([{ one: 1 }]);
      expect(connections).toBe(2);
      // An INSERT is not sent twice: its reset reaches the caller as an outage.
      const err = await client.insert("INSERT INTO t FORMAT TabSeparated", new Uint8Array([49, 10])).catch((e: unknown) => e);
      expect(classify(err)).toBeInstanceOf(UnavailableError);
    } finally {
      client.close();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("ClickHouseHttp's streamed reads (HTTP/1.0, a connection each)", () => {
  /** A server that answers every connection with `answer(request)`, and counts connections still open. */
  async function rawServer(answer: (request: string, socket: net.Socket) => void) {
    const open = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      let request = "";
      socket.on("data", (d) => {
        request += d.toString("latin1");
        const end = request.indexOf("\r\n\r\n");
        if (end >= 0 && request.length >= end + 4 + Number(/content-length: (\d+)/i.exec(request)?.[1] ?? 0)) answer(request, socket);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const client = new ClickHouseHttp(`http://u:p%40ss@127.0.0.1:${(server.address() as AddressInfo).port}/ticks`, OPTIONS);
    return { open, client, close: () => (client.close(), new Promise((r) => server.close(r))) };
  }
  const read = async (body: AsyncIterable<Uint8Array>) => {
    const parts: Uint8Array[] = [];
    for await (const part of body) parts.push(part);
    return Buffer.concat(parts).toString("latin1");
  };

  it("sends the statement with its settings, parameters, database and credentials, and gives back the body as it comes", async () => {
    let seen = "";
    const server = await rawServer((request, socket) => {
      seen = request;
      socket.write("HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nfirst");
      setTimeout(() => socket.end("-second"), 20);
    });
    try {
      expect(await read(await server.client.stream({ query: "SELECT {p0:String} FORMAT Native", params: { p0: "a'b" } }, { max_block_size: 500 }))).toBe("first-second");
      const [head, body] = seen.split("\r\n\r\n");
      const [line, ...headers] = head!.split("\r\n");
      const target = new URL(line!.split(" ")[1]!, "http://x");
      expect(line).toMatch(/^POST \/\?\S+ HTTP\/1\.0$/);
      expect(Object.fromEntries(target.searchParams)).toEqual({ output_format_json_quote_64bit_integers: "0", database: "ticks", param_p0: "a\\'b", max_block_size: "500" });
      expect(headers).toContain(`Authorization: Basic ${Buffer.from("u:p@ss").toString("base64")}`);
      expect(body).toBe("SELECT {p0:String} FORMAT Native");
      await expect.poll(() => server.open.size).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("closes the connection when its reader stops early", async () => {
    const server = await rawServer((_, socket) => {
      socket.write("HTTP/1.0 200 OK\r\n\r\n");
      const more = setInterval(() => socket.write(Buffer.alloc(4096)), 5);
      socket.on("close", () => clearInterval(more));
    });
    try {
      for await (const part of await server.client.stream({ query: "SELECT 1", params: {} }, {})) {
        expect(part.byteLength).toBeGreaterThan(0);
        break;
      }
      await expect.poll(() => server.open.size).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("reports an error answer with the server's code, and a connection closed before any answer as an outage", async () => {
    const server = await rawServer((request, socket) => {
      if (request.includes("boom")) socket.end("HTTP/1.0 500 Internal Server Error\r\n\r\nCode: 47, e.displayText() = DB::Exception: Missing columns\n");
      else socket.destroy();
    });
    try {
      const err = await server.client.stream({ query: "SELECT boom", params: {} }, {}).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "47", message: expect.stringMatching(/^Code: 47, .*Missing columns$/) });
      expect(err).toBeInstanceOf(ClickHouseServerError);
      const hangUp = await server.client.stream({ query: "SELECT 1", params: {} }, {}).catch((e: unknown) => e);
      expect(classify(hangUp)).toBeInstanceOf(UnavailableError);
      await expect.poll(() => server.open.size).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describeWithBackend("clickhouse", "ClickHouseHttp on a real ClickHouse", (url) => {
  let db: Awaited<ReturnType<typeof createTempClickHouseDatabase>>;
  let http: ClickHouseHttp;
  let query: () => ChQuery;

  beforeAll(async () => {
    db = await createTempClickHouseDatabase(url);
    http = new ClickHouseHttp(db.url, OPTIONS);
    const admin = createClient({ url });
    const caps = await detectCapabilities(admin);
    await admin.close();
    query = () => new ChQuery(caps);
  });
  afterAll(async () => {
    http?.close();
    await db?.drop();
  });

  it("answers rows as JSON objects, 64-bit integers as numbers, in the URL's database", async () => {
    const rows = await http.rows<{ n: number; s: string; d: string }>(query().sql`SELECT number AS n, toString(number) AS s, currentDatabase() AS d FROM system.numbers LIMIT 3`.build());
    const name = new URL(db.url).pathname.slice(1);
    expect(rows).toEqual([0, 1, 2].map((n) => ({ n, s: String(n), d: name })));
  });

  it("gives back every hostile string exactly as it was bound", async () => {
    const hostile = ["'", "\\", "\\'", "'; DROP TABLE ticks; --", "a\tb\nc\rd", "\u00fc\u4e2d\ud83d\ude00", "{p0:String}", "%27%00", "\u2028\u2029", " "];
    for (const value of hostile) {
      const [row] = await http.rows<{ s: string }>(query().sql`SELECT ${str(value)} AS s`.build());
      expect(row?.s).toBe(value);
    }
  });

  it("inserts the rows its body carries, and reports data the server cannot read with the server's code", async () => {
    const admin = createClient({ url: db.url });
    await admin.command({ query: "CREATE TABLE kv (k String, v UInt32) ENGINE = MergeTree ORDER BY k" });
    await admin.close();
    await http.insert("INSERT INTO kv (k, v) FORMAT TabSeparated", new TextEncoder().encode("a\t1\nb\\tc\t2\n"));
    expect(await http.rows(query().sql`SELECT k, v FROM kv ORDER BY k`.build())).toEqual([
      { k: "a", v: 1 },
      { k: "b\tc", v: 2 },
    ]);
    const err = await http.insert("INSERT INTO kv (k, v) FORMAT TabSeparated", new TextEncoder().encode("c\tnot a number\n")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickHouseServerError);
    expect((err as ClickHouseServerError).code).toMatch(/^\d+$/);
    expect(classify(err)).toBe(err);
    expect(await http.rows(query().sql`SELECT count() AS n FROM kv`.build())).toEqual([{ n: 2 }]);
  });

  it("reports a server exception with its code, which is not taken for an outage", async () => {
    const err = await http.rows(query().sql`SELECT ${raw("no_such_column")} FROM system.one`.build()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickHouseServerError);
    expect((err as ClickHouseServerError).code).toBe("47");
    expect(classify(err)).toBe(err);
  });

  it("fails a query that outlasts its timeout as unavailable", async () => {
    const slow = new ClickHouseHttp(db.url, { ...OPTIONS, timeoutMs: 200 });
    try {
      const err = await slow.rows(query().sql`SELECT sleep(1) AS z`.build()).catch((e: unknown) => e);
      expect(classify(err)).toBeInstanceOf(UnavailableError);
    } finally {
      slow.close();
    }
  });

  it("stops waiting when its caller cancels", async () => {
    const controller = new AbortController();
    const pending = http.rows(query().sql`SELECT sleep(1) AS z`.build(), controller.signal).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    // Had it waited for the answer, it would have resolved with the row.
    expect((await pending) as Error).toMatchObject({ name: "AbortError" });
  });

  it("streams a long answer whole, in pieces as it arrives", async () => {
    const n = 300_000;
    const body = await http.stream(query().sql`SELECT number FROM system.numbers WHERE ${str("a'b")} = 'a\\'b' LIMIT ${raw(String(n))} FORMAT RowBinary`.build(), { max_block_size: 10_000 });
    const parts: Uint8Array[] = [];
    for await (const part of body) parts.push(part);
    const numbers = new BigUint64Array(new Uint8Array(Buffer.concat(parts)).buffer);
    expect(parts.length).toBeGreaterThan(1);
    expect(numbers.length).toBe(n);
    expect(numbers.every((v, i) => v === BigInt(i))).toBe(true);
  });

  it("lets a streamed read's reader pause longer than the request timeout (a paced replay does)", async () => {
    const patient = new ClickHouseHttp(db.url, { ...OPTIONS, timeoutMs: 200 });
    try {
      const n = 1_000_000;
      const body = await patient.stream(query().sql`SELECT number FROM system.numbers LIMIT ${raw(String(n))} FORMAT RowBinary`.build(), {});
      let bytes = 0;
      let paused = false;
      for await (const part of body) {
        bytes += part.byteLength;
        if (!paused) {
          paused = true;
          await new Promise((resolve) => setTimeout(resolve, 600));
        }
      }
      expect(paused).toBe(true);
      expect(bytes).toBe(n * 8);
    } finally {
      patient.close();
    }
  });

  it("reports a streamed read's server exception with its code, and stops a streamed read its caller cancels", async () => {
    const err = await http.stream(query().sql`SELECT ${raw("no_such_column")} FROM system.one FORMAT Native`.build(), {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "47" });
    const controller = new AbortController();
    // 40 MB, of which the reader takes 1 MB before it cancels. Finite, as the in-process engine of
    // the modern suite produces an answer whole before sending it.
    const long = await http.stream(query().sql`SELECT number FROM system.numbers LIMIT 5000000 FORMAT RowBinary`.build(), {}, controller.signal);
    const reading = (async () => {
      let bytes = 0;
      for await (const part of long) if ((bytes += part.byteLength) > 1_000_000) controller.abort();
    })();
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
  });

  it("takes a server that does not answer for an outage", async () => {
    const nowhere = new ClickHouseHttp("http://127.0.0.1:1/", OPTIONS);
    try {
      const err = await nowhere.rows(query().sql`SELECT 1 AS one`.build()).catch((e: unknown) => e);
      expect(classify(err)).toBeInstanceOf(UnavailableError);
      expect(classify(await nowhere.stream(query().sql`SELECT 1`.build(), {}).catch((e: unknown) => e))).toBeInstanceOf(UnavailableError);
    } finally {
      nowhere.close();
    }
  });
});
