/** The services whose HTTP APIs Strata defines. */
export type ServiceName = "node" | "indexer";

/** Who answered: the service, and for a storage node its id when the caller knows it. */
export interface ServiceOrigin {
  service: ServiceName;
  nodeId?: number;
}

/** The code of a service that could not be reached (status 0): refused, reset, timed out. */
export const UNREACHABLE = "API_ERR_UNREACHABLE";
/** The code of an error status that came without the error envelope (a proxy's page, say). */
export const NO_ENVELOPE = "API_ERR_NO_ENVELOPE";
/** The code of a success that is not what the contract promises (not JSON, another blob). */
export const BAD_REPLY = "API_ERR_BAD_REPLY";

/**
 * A request a Strata service refused or failed: the service's stable code (`NODE_ERR_NOT_FOUND`,
 * `INDEXER_ERR_INVALID_QUERY`, or an `API_ERR_...` of the client's own), the HTTP status (0 when
 * unreachable) and the service's message; the cause is kept. Every client of `api/` throws it.
 */
export class ServiceError extends Error {
  override name = "ServiceError";
  readonly service: ServiceName;
  readonly nodeId: number | undefined;
  readonly status: number;
  readonly code: string;

  constructor(
    origin: ServiceOrigin,
    failure: { status: number; code: string; message: string },
    options?: { cause?: unknown },
  ) {
    const who = origin.nodeId === undefined ? origin.service : `node ${origin.nodeId}`;
    super(`${who}: HTTP ${failure.status} ${failure.code}: ${failure.message}`, options);
    this.service = origin.service;
    this.nodeId = origin.nodeId;
    this.status = failure.status;
    this.code = failure.code;
  }
}

/**
 * The code and message of an error reply's body, the envelope `{ error: { code, message } }`;
 * undefined if the body is not one. The one place the envelope is parsed.
 */
export function envelopeOf(json: unknown): { code: string; message?: string } | undefined {
  const error = (json as { error?: unknown } | null | undefined)?.error;
  if (!error || typeof error !== "object") return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== "string") return undefined;
  return { code, ...(typeof message === "string" ? { message } : {}) };
}

/** The ServiceError of an error reply, from its status and (parsed) body. */
export function serviceErrorOf(
  origin: ServiceOrigin,
  reply: { status: number; statusText: string; json: unknown },
): ServiceError {
  const envelope = envelopeOf(reply.json);
  return new ServiceError(origin, {
    status: reply.status,
    code: envelope?.code ?? NO_ENVELOPE,
    message: envelope?.message ?? reply.statusText,
  });
}

/** The ServiceError of a request that got no answer. */
export function unreachable(origin: ServiceOrigin, cause: unknown): ServiceError {
  const code = (cause as { cause?: { code?: string } }).cause?.code;
  const message = `unreachable: ${(cause as Error).message ?? String(cause)}${code ? ` (${code})` : ""}`;
  return new ServiceError(origin, { status: 0, code: UNREACHABLE, message }, { cause });
}
