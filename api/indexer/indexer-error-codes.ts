import { type ErrorCodeInfo, errorEnvelope, errorResponses } from "../error-envelope.ts";

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

/**
 * Every code with its HTTP status and meaning: what the OpenAPI document lists per route, and
 * the one table the docs take the indexer's codes from.
 */
export const INDEXER_ERRORS = {
  INDEXER_ERR_INVALID_QUERY: {
    status: 400,
    meaning:
      "a query the indexer cannot answer: not a CID, an unknown `after`, no word to search for, a malformed IPNS name",
  },
  INDEXER_ERR_NOT_FOUND: {
    status: 404,
    meaning: "no such blob, node, name or vault (or no live copy of a CID)",
  },
  INDEXER_ERR_INVALID_RECORD: { status: 400, meaning: "an IPNS record the IPNS validator refuses" },
  INDEXER_ERR_DEEP_REORG: {
    status: 503,
    meaning:
      "the chain reorganised deeper than the blocks kept: the indexer stopped; GET /health says so and every route but /stats, /metrics and /docs answers 503 with it",
  },
  INDEXER_ERR_WRONG_DATABASE: {
    status: 500,
    meaning: "the database indexes another chain or deployment (at start)",
  },
  INDEXER_ERR_CHAIN_UNAVAILABLE: {
    status: 503,
    meaning: "the chain's RPC does not answer at start (the process exits with code 5)",
  },
  INDEXER_ERR_CONFIG: { status: 500, meaning: "the indexer's configuration is wrong (at start)" },
  INDEXER_ERR_SCHEMA: { status: 500, meaning: "the database's schema is from a newer build (at start)" },
  INDEXER_ERR_STOPPED: {
    status: 503,
    meaning:
      "the indexer stopped following the chain for another cause (logged): as INDEXER_ERR_DEEP_REORG, on every route but /stats, /metrics and /docs",
  },
  INDEXER_ERR_VALIDATION: { status: 400, meaning: "the request does not match the route's schema" },
  INDEXER_ERR_TOO_LARGE: { status: 413, meaning: "the body is larger than the route takes" },
  INDEXER_ERR_BAD_REQUEST: {
    status: [400, 415],
    meaning:
      "a request the server refused before the route: a malformed body (400), an unsupported Content-Type (415)",
  },
  INDEXER_ERR_INTERNAL: { status: 500, meaning: "an internal error: the indexer logged it" },
  INDEXER_ERR_NO_ROUTE: { status: 404, meaning: "no such route" },
} as const satisfies Record<IndexerErrorCode, ErrorCodeInfo>;

/**
 * Why an indexer stopped following the chain: GET /health's 503 names it, and every other route
 * but /stats, /metrics and /docs answers 503 with it from then on.
 */
export const INDEXER_STOP_CODES = [
  "INDEXER_ERR_DEEP_REORG",
  "INDEXER_ERR_STOPPED",
] as const satisfies readonly IndexerErrorCode[];

/**
 * `{ 400: envelope, 404: envelope, ... }` from the codes an indexer route answers with (each at
 * its status); INDEXER_ERR_INTERNAL, and the 503 of a stopped indexer, always.
 */
export const indexerErrors = errorResponses<IndexerErrorCode>(INDEXER_ERRORS, [
  "INDEXER_ERR_INTERNAL",
  ...INDEXER_STOP_CODES,
]);

/** The same for the routes that answer while the indexer is stopped (/stats, /metrics): INDEXER_ERR_INTERNAL. */
export const indexerStatusErrors = errorResponses<IndexerErrorCode>(INDEXER_ERRORS, ["INDEXER_ERR_INTERNAL"]);
