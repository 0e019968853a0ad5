import http2 from "node:http2";
import { create, type DescMessage, type DescMethod, type DescMethodStreaming, type DescMethodUnary, type Message, ScalarType } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { SERVICES } from "../../src/app.js";
import { codeName } from "../../src/server/interceptors.js";
import { seededRandom } from "../../bench/lib.js";
import { UserService } from "../../gen/neliti/dataplane/v1/user_pb.js";
import { describeWithBackend } from "../harness/backends.js";
import { createTempDatabase } from "../harness/postgres.js";
import { httpGet } from "../harness/tools.js";
import { grpcFrame } from "../harness/frames.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { one } from "../harness/streams.js";

const MAX_MESSAGE_BYTES = 1024 * 1024;
const METHODS = [...SERVICES, Health, ServerReflection].flatMap((s) => s.methods);
const random = seededRandom(20261125);
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));

/** Strings that break naive query building, logging, paths and encoders. */
const HOSTILE = [
  "'; DROP TABLE ticks; --",
  `\\" OR 1=1 -- \\\\' \`x\``,
  "nul\u0000inside\u0000",
  "x".repeat(100_000),
  "${jndi:ldap://127.0.0.1/a} {{7*7}} %s%n",
  "../../../../etc/passwd",
  "Robert'); DELETE FROM users WHERE ('1'='1",
  "\uD800 lone surrogate, \u202Eright-to-left, \r\nheader: injected",
];

// ------------------------------------------------------------------ raw frames

type Protocol = "grpc" | "grpc-web" | "connect";
type Frame = { name: string; body(method: DescMethod, protocol: Protocol): Uint8Array; allowed: string[] };

/** Connect's unary requests carry the bare message; every other request is enveloped. */
const bareOrEnveloped = (method: DescMethod, protocol: Protocol, payload: Uint8Array) =>
  protocol === "connect" && method.methodKind === "unary" ? payload : grpcFrame(0, payload.length, payload);

// The protocol layer answers these before any handler runs. Over gRPC (the service's own
// transport) every one is a client error, never INTERNAL. Over gRPC-Web and Connect (connect-node)
// an undecodable binary message is INTERNAL, as connect-es (like grpc-go) treats a failed binary
// parse; JSON parse errors are INVALID_ARGUMENT. Random bytes may also decode into a message the
// handler then judges.
const FRAMES: Frame[] = [
  { name: "truncated envelope header", body: () => Uint8Array.of(0, 0, 0), allowed: ["invalid_argument", "internal"] },
  { name: "envelope shorter than its length", body: () => grpcFrame(0, 100, randomBytes(10)), allowed: ["invalid_argument", "internal"] },
  {
    name: "random bytes",
    body: (m, p) => bareOrEnveloped(m, p, randomBytes(64)),
    allowed: ["internal", "invalid_argument", "ok", "not_found", "failed_precondition", "resource_exhausted", "unimplemented", "already_exists"],
  },
  { name: "compressed flag without an encoding", body: () => grpcFrame(1, 16, randomBytes(16)), allowed: ["internal", "invalid_argument"] },
  { name: "length beyond the message limit", body: () => grpcFrame(0, 0x7fffffff, randomBytes(16)), allowed: ["resource_exhausted", "invalid_argument", "internal"] },
];

const CONTENT_TYPE: Record<Protocol, (m: DescMethod) => string> = {
  grpc: () => "application/grpc+proto",
  "grpc-web": () => "application/grpc-web+proto",
  connect: (m) => (m.methodKind === "unary" ? "application/proto" : "application/connect+proto"),
};

/** A grpc-status value as the server's metrics name it, or undefined when there is none. */
const statusName = (raw: unknown) => (raw !== undefined && Code[Number(raw)] !== undefined ? codeName(Number(raw)) : undefined);

/** Sends one raw HTTP/2 request and reads the RPC's status the way each protocol reports it. */
function rawCall(session: http2.ClientHttp2Session, method: DescMethod, protocol: Protocol, body: Uint8Array): Promise<string> {
  return new Promise((resolve) => {
    const req = session.request({
      ":method": "POST",
      ":path": `/${method.parent.typeName}/${method.name}`,
      "content-type": CONTENT_TYPE[protocol](method),
      ...(protocol === "grpc" ? { te: "trailers" } : {}),
      ...(protocol === "connect" && method.methodKind === "unary" ? { "connect-protocol-version": "1" } : {}),
    });
    const timer = setTimeout(() => {
      req.close();
      resolve("no answer within 5 s");
    }, 5000);
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on("response", (h) => (headers = h));
    req.on("trailers", (t) => (headers = { ...headers, ...t }));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", (e) => {
      clearTimeout(timer);
      resolve(`stream error: ${e.message}`);
    });
    req.on("end", () => {
      clearTimeout(timer);
      const data = Buffer.concat(chunks);
      if (protocol === "grpc") return resolve(statusName(headers["grpc-status"]) ?? `no grpc-status (HTTP ${headers[":status"]})`);
      if (protocol === "grpc-web") {
        const status = /grpc-status: ?(\d+)/.exec(data.toString("latin1"))?.[1] ?? headers["grpc-status"];
        return resolve(statusName(status) ?? `no grpc-status (HTTP ${headers[":status"]})`);
      }
      if (method.methodKind === "unary") {
        if (Number(headers[":status"]) === 200) return resolve("ok");
        return resolve((JSON.parse(data.toString("utf8")) as { code?: string }).code ?? `HTTP ${headers[":status"]}`);
      }
      // Connect streams end with an end-of-stream envelope (flag 2) holding JSON.
      const end = data.lastIndexOf(2) >= 0 ? /\{"error":\{"code":"([a-z_]+)"/.exec(data.toString("utf8"))?.[1] : undefined;
      resolve(end ?? "ok");
    });
    req.end(body);
  });
}

// ------------------------------------------------------------------ hostile messages

/** A google.protobuf.Struct (held by protobuf-es as a JSON object) with the text as key, value and nested value. */
const hostileStruct = (text: string) => ({ [text]: text, nested: { list: [text, 1, { [text]: true }] } });

/**
 * A request whose every text field holds a hostile string: string fields, string lists, bytes,
 * the keys and string values of Struct fields, nested messages and the first member of each
 * oneof, filled likewise. Field i gets HOSTILE[(variant + i) % n], so the n variants put every
 * hostile string into every field.
 */
function hostileMessage<T extends DescMessage>(schema: T, variant: number, depth = 0): Message {
  const msg = create(schema) as Record<string, unknown>;
  schema.fields.forEach((field, i) => {
    const text = HOSTILE[(variant + i) % HOSTILE.length]!;
    let value: unknown;
    if (field.fieldKind === "scalar" && field.scalar === ScalarType.STRING) value = text;
    else if (field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES) value = new TextEncoder().encode(text);
    else if (field.fieldKind === "list" && field.listKind === "scalar" && field.scalar === ScalarType.STRING) value = [text, text];
    else if (field.fieldKind === "message" && field.message.typeName === "google.protobuf.Struct") value = hostileStruct(text);
    else if (field.fieldKind === "message" && depth < 3 && !field.message.typeName.startsWith("google.protobuf.")) value = hostileMessage(field.message, variant + i, depth + 1);
    else if (field.fieldKind === "list" && field.listKind === "message" && depth < 3 && !field.message.typeName.startsWith("google.protobuf.")) {
      value = [hostileMessage(field.message, variant + i, depth + 1)];
    }
    if (value === undefined) return;
    if (!field.oneof) msg[field.localName] = value;
    else if ((msg[field.oneof.localName] as { case?: string }).case === undefined) msg[field.oneof.localName] = { case: field.localName, value };
  });
  return msg as Message;
}

/** Calls `method` with `message` through a generic client and returns the status code's name. */
async function hostileCall(transport: Transport, method: DescMethod, message: Message): Promise<string> {
  // A subscription that accepted its request stays open: a second without an error is an answer.
  const signal = AbortSignal.timeout(method.methodKind === "unary" ? 10_000 : 1_000);
  try {
    if (method.methodKind === "unary") {
      await transport.unary(method as DescMethodUnary, signal, undefined, undefined, message, undefined);
      return "ok";
    }
    const res = await transport.stream(method as DescMethodStreaming, signal, undefined, undefined, one(message), undefined);
    let n = 0;
    for await (const _ of res.message) if (++n >= 3) break;
    return "ok";
  } catch (err) {
    if (signal.aborted) return "ok (still open)";
    return codeName(ConnectError.from(err).code);
  }
}

// DescMethod does not narrow on methodKind, hence the casts in hostileCall.

/**
 * Every method, every hostile string in every text field (all variants), over all three
 * protocols: the calls that ended INTERNAL or UNKNOWN.
 */
async function hostileStringFailures(baseUrl: string): Promise<string[]> {
  const transports: Record<string, Transport> = {
    grpc: createGrpcTransport({ baseUrl }),
    "grpc-web": createGrpcWebTransport({ baseUrl, httpVersion: "2" }),
    "connect-json": createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: false }),
  };
  const wrong: string[] = [];
  for (const method of METHODS) {
    await Promise.all(
      Object.entries(transports).map(async ([name, transport]) => {
        for (let variant = 0; variant < HOSTILE.length; variant++) {
          const code = await hostileCall(transport, method, hostileMessage(method.input, variant));
          if (code === "internal" || code === "unknown") wrong.push(`${method.parent.name}/${method.name} over ${name}, variant ${variant}: ${code}`);
        }
      }),
    );
  }
  return wrong;
}

// ------------------------------------------------------------------ the suite

async function metric(url: string, pattern: RegExp): Promise<number> {
  const { body } = await httpGet(url, "/metrics");
  return [...body.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe("hostile input to every RPC in every protocol", () => {
  let server: ServerProcess;
  let session: http2.ClientHttp2Session;

  beforeAll(async () => {
    // A small old space makes V8 collect eagerly, so RSS shows what is kept rather than how far
    // garbage collection lets the heap run ahead (uncapped, RSS climbs ~25 MiB a round for several
    // rounds before a collection gives it back); a leak fills it and ends the process.
    server = await startServerProcess({ AUTH_ENABLED: "false", MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) }, { nodeArgs: ["--max-old-space-size=128"] });
    session = http2.connect(server.url);
  });
  afterAll(async () => {
    session?.close();
    await server?.stop("SIGKILL");
  });

  const runFrames = async () => {
    const wrong: string[] = [];
    let refused = 0;
    for (const method of METHODS) {
      for (const protocol of ["grpc", "grpc-web", "connect"] as const) {
        for (const frame of FRAMES) {
          const got = await rawCall(session, method, protocol, frame.body(method, protocol));
          const allowed = protocol === "grpc" ? frame.allowed.filter((code) => code !== "internal") : frame.allowed;
          if (!allowed.includes(got)) wrong.push(`${method.parent.name}/${method.name} ${protocol} ${frame.name}: ${got}`);
          if (got !== "ok") refused++;
        }
      }
    }
    return { wrong, refused };
  };

  it("answers malformed, truncated, oversized and random frames with a status, and counts the rejections", async () => {
    const before = await metric(server.url, /^neliti_rejections_total\{[^}]*\} (\d+)$/gm);
    const { wrong, refused } = await runFrames();
    expect(wrong).toEqual([]);
    const after = await metric(server.url, /^neliti_rejections_total\{[^}]*\} (\d+)$/gm);
    // Every frame refused before a handler ran is counted; random bytes that decode may instead be
    // judged by a handler and end in another code, so at least the envelope failures are there.
    expect(after - before).toBeGreaterThanOrEqual(METHODS.length * 3 * 4);
    expect(after - before).toBeLessThanOrEqual(refused);
  });

  it("never answers hostile strings in any field with INTERNAL or UNKNOWN, over gRPC, gRPC-Web and Connect JSON", async () => {
    expect(await hostileStringFailures(server.url)).toEqual([]);
  }, 180_000);

  it("stays up and serving, with memory that does not grow with more of the same", { timeout: 180_000 }, async () => {
    const rss = () => metric(server.url, /^neliti_process_resident_memory_bytes (\d+)$/gm);
    // A leak raises the floor: the lowest reading of the last three rounds must stay within the
    // bound of the lowest of the three before them.
    await runFrames();
    const readings: number[] = [];
    for (let i = 0; i < 6; i++) {
      await runFrames();
      readings.push(await rss());
    }
    const grown = Math.min(...readings.slice(3)) - Math.min(...readings.slice(0, 3));
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    expect(server.proc.exitCode).toBeNull();
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });
});

describeWithBackend("postgres", "hostile strings against the real PostgreSQL", (postgresUrl) => {
  let server: ServerProcess;
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  beforeAll(async () => {
    db = await createTempDatabase(postgresUrl);
    server = await startServerProcess({ AUTH_ENABLED: "false", AUTH_JWT_SECRET: "fuzz-secret-0123456789abcdef0123456789", POSTGRES_URL: db.url, MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await db?.drop();
  });

  it("answers no hostile string in any field with INTERNAL, and stores none it refused", async () => {
    const users = createClient(UserService, createGrpcTransport({ baseUrl: server.url }));
    const before = (await users.listUsers({ pageSize: 1000 })).users.length;
    expect(await hostileStringFailures(server.url)).toEqual([]);
    // No hostile email is a valid address: no user was created. Organization names may be any
    // text but NUL and ill-formed Unicode, so SQL-looking names are stored as the text they are.
    expect((await users.listUsers({ pageSize: 1000 })).users.length).toBe(before);
    const names = (await users.listOrganizations({})).organizations.map((o) => o.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => n.includes("\u0000") || !n.isWellFormed())).toEqual([]);
    expect(names).toContain(HOSTILE[0]);
  }, 180_000);
});
