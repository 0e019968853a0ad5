import { openBackends } from "./backends/backends.js";
import { createApp, SERVICES } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./observability/logger.js";
import { startTracing } from "./observability/tracing.js";
import { type RunningServer, startServer } from "./server/http-server.js";

/** What shutdown may take past its grace in all (the bound a test holds: grace + 1 s, less a margin to exit). */
const EXIT_AFTER_GRACE_MS = 900;

/** Entry point: config -> backends -> server; graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`neliti-dataplane: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const stopTracing = startTracing(config.tracing.otlpEndpoint);
  const backends = await openBackends(config, log);
  for (const [name, ready] of Object.entries(backends.warming)) {
    ready.then(
      () => log.info({ store: name }, "store ready"),
      (err: unknown) => {
        process.stderr.write(`neliti-dataplane: the ${name} store could not open: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  }
  const app = await createApp(config, backends, log);

  // Handlers go in before the port opens, so a SIGTERM right after "listening" still drains.
  let server: RunningServer | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.shutdownGraceMs }, "shutting down");
    // Gone within the grace and one second, whatever clients or backends do: the server ends its
    // calls by then (http-server.ts), and what the service acknowledged is durable already, so a
    // backend slow to close holds nothing acknowledged.
    setTimeout(() => {
      log.warn({ graceMs: config.shutdownGraceMs }, "shutdown past its grace and one second: exiting without waiting further");
      process.exit(0);
    }, config.shutdownGraceMs + EXIT_AFTER_GRACE_MS).unref();
    app.health.drain();
    await app.stopBackground();
    await server?.close(config.shutdownGraceMs);
    await backends.close();
    await stopTracing().catch((err: unknown) => log.warn({ err: String(err) }, "could not flush traces"));
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  server = await startServer(app, config, log);

  const stores = backends.describe();
  const banner = [
    "",
    `  Neliti data plane on ${config.tls ? "https" : "http"}://${config.host}:${server.port} (gRPC, gRPC-Web, Connect; reflection on; /metrics)`,
    config.embedded ? "  DEVELOPMENT MODE: embedded stores, no backend URL configured." : "  Production backends configured.",
    config.auth.enabled
      ? "  Authentication ON: send x-api-key or authorization: Bearer <session token>."
      : "  Authentication OFF: every caller is an anonymous admin (AUTH_ENABLED=true turns it on).",
    ...Object.entries(stores).map(([name, store]) => `    ${name.padEnd(8)} ${store}${name in backends.warming ? " (opening in the background: NOT_SERVING until ready)" : ""}`),
    `  Services: ${SERVICES.map((s) => s.name).join(", ")}`,
    "",
  ];
  process.stderr.write(`${banner.join("\n")}\n`);
  log.info({ mode: config.embedded ? "embedded" : "production", stores }, "started");
}

main().catch((err: unknown) => {
  process.stderr.write(`neliti-dataplane: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
