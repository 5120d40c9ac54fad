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
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The exit code for an error: usage 2, not found 3, refused by chain or node 4, unreachable 5, bad data 6. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if ((error as Error)?.name === "AbortError") return ExitCode.interrupted;
  if (error instanceof ServiceError) {
    if (error.status === 404) return ExitCode.notFound;
    return error.status === 0 || error.status >= 500 ? ExitCode.unreachable : ExitCode.rejected;
  }
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
