import { pino, type Logger } from "pino";

export type { Logger };

/**
 * JSON logs on stdout. Anything that may hold a secret is redacted by path, so a careless
 * `log.info({ req })` cannot leak credentials.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "neliti-dataplane" },
    redact: {
      paths: [
        "password",
        "*.password",
        "token",
        "*.token",
        "secret",
        "*.secret",
        "authorization",
        "*.authorization",
        'headers["authorization"]',
        'headers["x-api-key"]',
        "*.url",
      ],
      censor: "[redacted]",
    },
  });
}

/**
 * A warning for failures that repeat on a hot path (a backend outage seen by every batch): logged
 * at most once per `everyMs`, so an outage does not turn into a log line per batch.
 */
export function throttledWarning(log: Logger, message: string, everyMs = 10_000): (err: unknown) => void {
  let last = 0;
  return (err) => {
    if (Date.now() - last < everyMs) return;
    last = Date.now();
    log.warn({ err: err instanceof Error ? err.message : String(err) }, message);
  };
}
