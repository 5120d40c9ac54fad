import { Type } from "@sinclair/typebox";
import { pino } from "pino";
import { BaseError } from "viem";
import { contractRevert } from "./contract-revert.ts";

export type Logger = pino.Logger;

/** pino's levels, as every Strata process's configuration names them. */
export const LogLevel = Type.Union([
  Type.Literal("fatal"),
  Type.Literal("error"),
  Type.Literal("warn"),
  Type.Literal("info"),
  Type.Literal("debug"),
  Type.Literal("trace"),
  Type.Literal("silent"),
]);

const DETAILS_CHARS = 200;
const MESSAGE_CHARS = 500;
const CAUSE_DEPTH = 2;

/** `text` on one line, at most `max` characters. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Contract error arguments as JSON takes them (bigints as decimal strings). */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/**
 * A logged error, short and on one line. A viem error: its short message, the decoded custom
 * error (name and arguments) if a contract reverted, and the details cut to 200 characters;
 * never the request it was sending nor its meta messages. Any other error: type, message, code,
 * the first 3 lines of the stack, and its cause, the same way.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (error instanceof BaseError) {
    const revert = contractRevert(error);
    return {
      type: error.name,
      message: oneLine(error.shortMessage, MESSAGE_CHARS),
      ...(revert ? { error_name: revert.name, args: plain(revert.args) } : {}),
      ...(error.details ? { details: oneLine(error.details, DETAILS_CHARS) } : {}),
    };
  }
  if (!(error instanceof Error))
    return { type: typeof error, message: oneLine(String(error), MESSAGE_CHARS) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: oneLine(error.message, MESSAGE_CHARS),
    ...(code !== undefined ? { code } : {}),
    ...(error.stack ? { stack: error.stack.split("\n").slice(0, 3).join("\n") } : {}),
    ...(error.cause !== undefined && depth < CAUSE_DEPTH
      ? { cause: serializeError(error.cause, depth + 1) }
      : {}),
  };
}

/**
 * A process's one pino instance (shared with Fastify), named after the process (`strata-node`,
 * `strata-indexer`); errors logged as `err` are serialized short (`serializeError`), secrets are
 * redacted wherever they appear.
 */
export function createLogger(level: string, options: { name?: string } = {}): Logger {
  return pino({
    name: options.name ?? "strata",
    level,
    serializers: { err: (error: unknown) => serializeError(error) },
    redact: {
      paths: ["signerKey", "*.signerKey", "privateKey", "*.privateKey", "req.headers.authorization"],
      censor: "[redacted]",
    },
  });
}
