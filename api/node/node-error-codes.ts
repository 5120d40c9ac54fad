import { errorEnvelope, errorResponses } from "../error-envelope.ts";

/**
 * Every code a storage node answers a refused request with. The first ones name a condition
 * (`node/errors.ts` has a class for each); the last five are the error handler's own: a schema
 * failure, a body too large for the parser, another client error, an internal error, no route.
 */
export const NODE_ERROR_CODES = [
  "NODE_ERR_INVALID_ID",
  "NODE_ERR_BLOB_NOT_REGISTERED",
  "NODE_ERR_BLOB_NOT_OPEN",
  "NODE_ERR_CONTENT_MISMATCH",
  "NODE_ERR_INVALID_CAR",
  "NODE_ERR_TOO_LARGE",
  "NODE_ERR_TRUNCATED",
  "NODE_ERR_STORAGE_FULL",
  "NODE_ERR_NOT_FOUND",
  "NODE_ERR_NOT_A_FILE",
  "NODE_ERR_RANGE",
  "NODE_ERR_NOT_ACCEPTABLE",
  "NODE_ERR_INVALID_SIGNATURE",
  "NODE_ERR_REPLAYED",
  "NODE_ERR_BLOB_LIVE",
  "NODE_ERR_CHAIN_UNAVAILABLE",
  "NODE_ERR_TX_REVERTED",
  "NODE_ERR_TX_DROPPED",
  "NODE_ERR_CONFIG",
  "NODE_ERR_INVALID_SHARDS",
  "NODE_ERR_SHARDS_UNAVAILABLE",
  "NODE_ERR_MIGRATION_FAILED",
  "NODE_ERR_UPLOAD_STALLED",
  "NODE_ERR_NODE_DROPPED",
  "NODE_ERR_NODE_INACTIVE",
  "NODE_ERR_CHAIN_REFUSED",
  "NODE_ERR_INVALID_RECORD",
  "NODE_ERR_NOT_ANCHORED",
  "NODE_ERR_VAULT_UNKNOWN",
  "NODE_ERR_VAULT_NOT_HOME",
  "NODE_ERR_VAULT_FORBIDDEN",
  "NODE_ERR_VAULT_FROZEN",
  "NODE_ERR_VAULT_QUOTA",
  "NODE_ERR_JOB_RUNNING",
  "NODE_ERR_JOB_FINISHED",
  "NODE_ERR_BLOCK_CORRUPT",
  "NODE_ERR_VALIDATION",
  "NODE_ERR_BAD_REQUEST",
  "NODE_ERR_INTERNAL",
  "NODE_ERR_NO_ROUTE",
] as const;

export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

/** The codes a node refuses an upload with before reading it (HTTP 503): dropped, inactive, or cut off from the chain. */
export const NODE_REFUSAL_CODES = [
  "NODE_ERR_NODE_DROPPED",
  "NODE_ERR_NODE_INACTIVE",
  "NODE_ERR_CHAIN_UNAVAILABLE",
] as const satisfies readonly NodeErrorCode[];

/** A node's error envelope: `{ error: { code, message } }`. */
export const NodeErrorBody = errorEnvelope("NodeError", NODE_ERROR_CODES);

/** `{ 400: NodeErrorBody, ... }` for a node route's error statuses. */
export const nodeErrors = errorResponses(NodeErrorBody);
