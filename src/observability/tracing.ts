import { type Context, propagation, ROOT_CONTEXT, type TextMapGetter, trace, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

const SERVICE_NAME = "neliti-dataplane";

/**
 * Optional OpenTelemetry tracing: with an OTLP endpoint configured, spans of every RPC are batched
 * and sent over OTLP/HTTP (W3C trace context propagated from the caller). Without one nothing is
 * registered and the interceptor is not even given a tracer. Returns what flushes and stops it.
 */
export function startTracing(otlpEndpoint: string | undefined): () => Promise<void> {
  if (!otlpEndpoint) return async () => undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": SERVICE_NAME }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, "")}/v1/traces` }))],
  });
  provider.register();
  return () => provider.shutdown();
}

/** The tracer the RPC interceptor uses when tracing is configured. */
export function rpcTracer(otlpEndpoint: string | undefined): Tracer | undefined {
  return otlpEndpoint ? trace.getTracer(SERVICE_NAME) : undefined;
}

const HEADERS: TextMapGetter<Headers> = {
  keys: (h) => [...h.keys()],
  get: (h, key) => h.get(key) ?? undefined,
};

/** The caller's trace context (traceparent / tracestate headers), if it sent one. */
export function callerContext(header: Headers): Context {
  return propagation.extract(ROOT_CONTEXT, header, HEADERS);
}
