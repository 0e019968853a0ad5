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
