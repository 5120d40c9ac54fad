import { errorEnvelope, errorResponses } from "../error-envelope.ts";

/**
 * Every code the indexer answers a refused request (or a stopped GET /health) with; the last
 * five are the error handler's own.
 */
export const INDEXER_ERROR_CODES = [
  "INDEXER_ERR_INVALID_QUERY",
  "INDEXER_ERR_NOT_FOUND",
  "INDEXER_ERR_INVALID_RECORD",
  "INDEXER_ERR_DEEP_REORG",
  "INDEXER_ERR_WRONG_DATABASE",
  "INDEXER_ERR_CHAIN_UNAVAILABLE",
  "INDEXER_ERR_CONFIG",
  "INDEXER_ERR_SCHEMA",
  "INDEXER_ERR_STOPPED",
  "INDEXER_ERR_VALIDATION",
  "INDEXER_ERR_TOO_LARGE",
  "INDEXER_ERR_BAD_REQUEST",
  "INDEXER_ERR_INTERNAL",
  "INDEXER_ERR_NO_ROUTE",
] as const;

export type IndexerErrorCode = (typeof INDEXER_ERROR_CODES)[number];

/** The indexer's error envelope: `{ error: { code, message } }`. */
export const IndexerErrorBody = errorEnvelope("IndexerError", INDEXER_ERROR_CODES);

/** `{ 400: IndexerErrorBody, ... }` for an indexer route's error statuses. */
export const indexerErrors = errorResponses(IndexerErrorBody);
