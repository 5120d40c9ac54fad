import { BaseError, HttpRequestError, TimeoutError } from "viem";
import { ProtocolError } from "#protocol";
import { ServiceError } from "../api/service-error.ts";
import { StrataError } from "../sdk/errors.ts";

/** Exit codes the CLI promises (also in `strata --help`). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  rejected: 4,
  unreachable: 5,
  verification: 6,
  interrupted: 130,
} as const;

/** A mistake in how the command was called: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  readonly code = "STRATA_ERR_USAGE";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A failure the CLI explains itself, on one line naming the cause and the fix, with its exit code
 * and a stable code (`STRATA_ERR_CHAIN_UNREACHABLE`, `STRATA_ERR_WRONG_CHAIN`…) for `--json`.
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, exitCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CliError";
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The errors of `error`'s cause chain, `error` first (viem's own chain included). */
function chainOf(error: unknown): unknown[] {
  const seen: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.includes(current) && seen.length < 10) {
    seen.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return seen;
}

const UNREACHABLE_CODES = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/;

/** The socket error code (ECONNREFUSED…) or HTTP status that kept a request from being answered. */
function unreachableReason(error: unknown): string | undefined {
  let reason: string | undefined;
  for (const e of chainOf(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNREACHABLE_CODES.test(code)) return code;
    if (e instanceof HttpRequestError) reason = e.status ? `HTTP ${e.status}` : (e.details ?? reason);
    if (e instanceof TimeoutError) reason = "timed out";
    const message = (e as Error)?.message ?? "";
    const match = UNREACHABLE_CODES.exec(message);
    if (match) return match[0];
    if (reason === undefined && /fetch failed/.test(message)) reason = "fetch failed";
  }
  return reason;
}

/** True when `error` is a JSON-RPC endpoint that did not answer (refused, unknown host, timeout, HTTP error). */
export function isChainUnreachable(error: unknown): boolean {
  if (error instanceof ServiceError) return false;
  return chainOf(error).some(
    (e) =>
      e instanceof HttpRequestError ||
      e instanceof TimeoutError ||
      (e instanceof BaseError && UNREACHABLE_CODES.test(e.message)) ||
      (e instanceof StrataError && e.code === "STRATA_ERR_CHAIN" && unreachableReason(e) !== undefined),
  );
}

/** The CliError for a chain that does not answer at `rpcUrl`. */
export function chainUnreachable(rpcUrl: string, cause: unknown): CliError {
  const reason = unreachableReason(cause) ?? "no answer";
  return new CliError(
    "STRATA_ERR_CHAIN_UNREACHABLE",
    ExitCode.unreachable,
    `no JSON-RPC answer from ${rpcUrl} (${reason}): start the chain, or point --rpc-url (STRATA_RPC_URL, or rpcUrl in node.json) at its endpoint`,
    { cause },
  );
}

/** The exit code for an error: usage 2, not found 3, refused by chain or node 4, unreachable 5, bad data 6. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof CliError) return error.exitCode;
  if ((error as Error)?.name === "AbortError") return ExitCode.interrupted;
  if (error instanceof ServiceError) {
    if (error.status === 404) return ExitCode.notFound;
    return error.status === 0 || error.status >= 500 ? ExitCode.unreachable : ExitCode.rejected;
  }
  if (isChainUnreachable(error)) return ExitCode.unreachable;
  // the SDK's errors, and the protocol's that carry the same codes (a document the engine refuses)
  const code =
    error instanceof StrataError || error instanceof ProtocolError
      ? (error as { code?: string }).code
      : undefined;
  if (code === undefined) return ExitCode.failed;
  switch (code) {
    case "STRATA_ERR_INVALID_ARGUMENT":
      return ExitCode.usage;
    case "STRATA_ERR_NOT_FOUND":
    case "STRATA_ERR_NAME_NOT_PUBLISHED":
    case "STRATA_ERR_DB_NOT_PUBLISHED":
    case "STRATA_ERR_NAME_EXPIRED":
      return ExitCode.notFound;
    case "STRATA_ERR_REVERTED":
    case "STRATA_ERR_INSUFFICIENT_FUNDS":
    case "STRATA_ERR_NOT_ENOUGH_NODES":
    case "STRATA_ERR_UPLOAD_FAILED":
    case "STRATA_ERR_NODE_UNAVAILABLE":
    case "STRATA_ERR_NAME_LOCKED":
    case "STRATA_ERR_DB_STALE":
      return ExitCode.rejected;
    case "STRATA_ERR_FETCH_FAILED":
    case "STRATA_ERR_CHAIN":
    case "STRATA_ERR_NAME_UNREACHABLE":
    case "STRATA_ERR_DB_UNAVAILABLE":
      return ExitCode.unreachable;
    case "STRATA_ERR_VERIFICATION":
    case "STRATA_ERR_DB_CORRUPT":
      return ExitCode.verification;
    default:
      return ExitCode.failed;
  }
}

/** Where the command was pointed, for messages that name the fix. */
export interface ErrorSetting {
  rpcUrl?: string;
  indexerUrl?: string;
}

/**
 * `error` as one line naming the cause and, where the CLI knows it, the fix: an unreachable
 * chain or indexer, a viem error's short message (never its request dump), anything else's
 * message flattened.
 */
export function errorLine(error: unknown, setting: ErrorSetting = {}): string {
  if (error instanceof UsageError || error instanceof CliError) return flat(error.message);
  if (error instanceof ServiceError && error.service === "indexer" && error.status === 0) {
    const reason = unreachableReason(error) ?? "no answer";
    return `cannot reach the indexer${setting.indexerUrl ? ` at ${setting.indexerUrl}` : ""} (${reason}): start one (strata indexer start), or point --indexer (STRATA_INDEXER) at one`;
  }
  if (isChainUnreachable(error) && setting.rpcUrl) return chainUnreachable(setting.rpcUrl, error).message;
  if (error instanceof BaseError) return flat(error.shortMessage);
  return flat(error instanceof Error ? error.message : String(error));
}

function flat(text: string): string {
  const line = text.replace(/\s*\n\s*/g, " ").trim();
  return line.length > 600 ? `${line.slice(0, 599)}…` : line;
}
