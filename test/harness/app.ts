import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, createRouterTransport } from "@connectrpc/connect";
import { pino } from "pino";
import { createApp, type App } from "../../src/app.js";
import { type Backends, openBackends } from "../../src/backends/backends.js";
import { loadConfig } from "../../src/config.js";

export type TestApp = { app: App; backends: Backends; client<S extends DescService>(service: S): Client<S>; close(): Promise<void> };

/**
 * The whole service, embedded and in memory, behind an in-memory transport (connect-es's
 * createRouterTransport): the real routes, interceptors and validation, no sockets.
 */
export async function inMemoryApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ IN_MEMORY: "true", LOG_LEVEL: "silent", ...env });
  const log = pino({ level: "silent" });
  const backends = await openBackends(config, log);
  const app = await createApp(config, backends, log);
  const transport = createRouterTransport(app.routes, { router: { interceptors: app.interceptors, readMaxBytes: config.maxMessageBytes } });
  return {
    app,
    backends,
    client: (service) => createClient(service, transport),
    close: async () => {
      await app.stopBackground();
      await backends.close();
    },
  };
}
