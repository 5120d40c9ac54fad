import { pino } from "pino";

export type Logger = pino.Logger;

/** The node's one pino instance (shared with Fastify); secrets are redacted wherever they appear. */
export function createLogger(level: string, options: { name?: string } = {}): Logger {
  return pino({
    name: options.name ?? "strata-node",
    level,
    redact: {
      paths: ["signerKey", "*.signerKey", "privateKey", "*.privateKey", "req.headers.authorization"],
      censor: "[redacted]",
    },
  });
}
