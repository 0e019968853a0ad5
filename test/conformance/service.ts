import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Any, anyPack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import {
  BidiStreamRequestSchema,
  ClientStreamRequestSchema,
  type ConformancePayloadSchema,
  ConformancePayload_RequestInfoSchema,
  ConformanceService,
  type Error as ErrorDefinition,
  type Header,
  IdempotentUnaryRequestSchema,
  ServerStreamRequestSchema,
  type StreamResponseDefinition,
  type UnaryResponseDefinition,
  UnaryRequestSchema,
} from "./gen/connectrpc/conformance/v1/service_pb.js";

/**
 * The Connect conformance suite's ConformanceService, as its server guide specifies it: each
 * call echoes what the server saw (headers, timeout, requests) and answers as its request's
 * response definition says (data, headers, trailers, delay, error). Written here, against the
 * guide; served by the service's own stack (server.ts), which is what the suite tests.
 */
export function conformanceRoutes(router: ConnectRouter): void {
  router.service(ConformanceService, {
    unary: (req, ctx) => answerOnce(req.responseDefinition, [anyPack(UnaryRequestSchema, req)], ctx),
    idempotentUnary: (req, ctx) => answerOnce(req.responseDefinition, [anyPack(IdempotentUnaryRequestSchema, req)], ctx),
    async clientStream(requests, ctx) {
      let definition: UnaryResponseDefinition | undefined;
      const seen: Any[] = [];
      for await (const req of requests) {
        // Only the first message's definition counts.
        if (seen.length === 0) definition = req.responseDefinition;
        seen.push(anyPack(ClientStreamRequestSchema, req));
      }
      return answerOnce(definition, seen, ctx);
    },
    async *serverStream(req, ctx) {
      const definition = req.responseDefinition;
      setMetadata(ctx, definition);
      const seen = [anyPack(ServerStreamRequestSchema, req)];
      for (const [i, data] of (definition?.responseData ?? []).entries()) {
        await sleep(definition?.responseDelayMs ?? 0);
        yield { payload: payload(data, i === 0 ? requestInfo(ctx, seen) : undefined) };
      }
      if (definition?.error) throw errorOf(definition.error, definition.responseData.length === 0 ? requestInfo(ctx, seen) : undefined);
    },
    async *bidiStream(requests, ctx) {
      let definition: StreamResponseDefinition | undefined;
      let fullDuplex = false;
      let first = true;
      let sent = 0;
      let unanswered: Any[] = [];
      for await (const req of requests) {
        if (first) {
          first = false;
          definition = req.responseDefinition;
          fullDuplex = req.fullDuplex;
          setMetadata(ctx, definition);
        }
        unanswered.push(anyPack(BidiStreamRequestSchema, req));
        if (!fullDuplex) continue;
        // Full duplex: one response for each request, while there are responses left.
        if (sent >= (definition?.responseData.length ?? 0)) break;
        await sleep(definition?.responseDelayMs ?? 0);
        yield { payload: payload(definition!.responseData[sent]!, requestInfo(ctx, unanswered)) };
        sent++;
        unanswered = [];
      }
      // Half duplex (nothing sent yet), or more responses asked for than requests came.
      const info = requestInfo(ctx, unanswered);
      for (; sent < (definition?.responseData.length ?? 0); sent++) {
        await sleep(definition?.responseDelayMs ?? 0);
        yield { payload: payload(definition!.responseData[sent]!, sent === 0 ? info : undefined) };
      }
      if (definition?.error) throw errorOf(definition.error, definition.responseData.length === 0 ? info : undefined);
    },
  });
}

type Payload = MessageInitShape<typeof ConformancePayloadSchema>;

async function answerOnce(definition: UnaryResponseDefinition | undefined, seen: Any[], ctx: HandlerContext): Promise<{ payload: Payload }> {
  setMetadata(ctx, definition);
  const info = requestInfo(ctx, seen);
  if (definition?.response.case === "error") throw errorOf(definition.response.value, info);
  await sleep(definition?.responseDelayMs ?? 0);
  return { payload: payload(definition?.response.case === "responseData" ? definition.response.value : undefined, info) };
}

function payload(data: Uint8Array | undefined, info: ReturnType<typeof requestInfo> | undefined): Payload {
  return { ...(data ? { data } : {}), ...(info ? { requestInfo: info } : {}) };
}

function requestInfo(ctx: HandlerContext, requests: Any[]) {
  const timeoutMs = ctx.timeoutMs();
  return create(ConformancePayload_RequestInfoSchema, {
    requestHeaders: headersOf(ctx.requestHeader),
    requests,
    ...(timeoutMs === undefined ? {} : { timeoutMs: BigInt(Math.round(timeoutMs)) }),
  });
}

function setMetadata(ctx: HandlerContext, definition: { responseHeaders: Header[]; responseTrailers: Header[] } | undefined): void {
  for (const h of definition?.responseHeaders ?? []) for (const v of h.value) ctx.responseHeader.append(h.name, v);
  for (const h of definition?.responseTrailers ?? []) for (const v of h.value) ctx.responseTrailer.append(h.name, v);
}

function headersOf(headers: Headers): MessageInitShape<typeof ConformancePayload_RequestInfoSchema>["requestHeaders"] {
  const byName = new Map<string, string[]>();
  headers.forEach((value, name) => byName.set(name, [...(byName.get(name) ?? []), value]));
  return [...byName].map(([name, value]) => ({ name, value }));
}

/** The error a definition asks for, with what the server saw in its details when nothing else carries it. */
function errorOf(definition: ErrorDefinition, info: ReturnType<typeof requestInfo> | undefined): ConnectError {
  const err = new ConnectError(definition.message ?? "", definition.code as number as Code);
  // The asked-for details go out as they came (already encoded), by their type's name.
  for (const d of definition.details) err.details.push({ type: d.typeUrl.slice(d.typeUrl.lastIndexOf("/") + 1), value: d.value });
  if (info) err.details.push({ desc: ConformancePayload_RequestInfoSchema, value: info });
  return err;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());
