import type { INDEXER_STOP_CODES, IndexerErrorCode } from "../api/indexer/index.ts";
import { CodedError } from "../service/coded-error.ts";

/**
 * Errors of the indexer. Those a client can cause carry a stable code (INDEXER_ERR_...) and the
 * HTTP status they map to.
 */
export class IndexerError extends CodedError {
  override name = "IndexerError";
  declare readonly code: IndexerErrorCode;

  constructor(code: IndexerErrorCode, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(code, statusCode, message, options);
  }
}

export class InvalidQueryError extends IndexerError {
  override name = "InvalidQueryError";
  constructor(message: string) {
    super("INDEXER_ERR_INVALID_QUERY", 400, message);
  }
}

export class NotFoundError extends IndexerError {
  override name = "NotFoundError";
  constructor(what: string) {
    super("INDEXER_ERR_NOT_FOUND", 404, `${what} is not known`);
  }
}

/** An IPNS record that fails the IPNS validator (signature, size, end of life, encoding). */
export class InvalidRecordError extends IndexerError {
  override name = "InvalidRecordError";
  constructor(message: string) {
    super("INDEXER_ERR_INVALID_RECORD", 400, message);
  }
}

/** The chain reorganised below the blocks the indexer keeps: it stops rather than serve wrong data. */
export class DeepReorgError extends IndexerError {
  override name = "DeepReorgError";
  constructor(cursor: bigint, window: number) {
    super(
      "INDEXER_ERR_DEEP_REORG",
      503,
      `the chain reorganised deeper than the ${window} blocks kept below block ${cursor}: no common ancestor is known; re-index from scratch (delete the database) once the chain is settled`,
    );
  }
}

/** The database belongs to another chain or deployment. */
export class WrongDatabaseError extends IndexerError {
  override name = "WrongDatabaseError";
  constructor(message: string) {
    super("INDEXER_ERR_WRONG_DATABASE", 500, message);
  }
}

/** The chain's RPC did not answer (at start: the process exits with code 5). */
export class ChainUnavailableError extends IndexerError {
  override name = "ChainUnavailableError";
  constructor(rpcUrl: string, cause: unknown) {
    super("INDEXER_ERR_CHAIN_UNAVAILABLE", 503, `cannot reach the chain at ${rpcUrl}`, { cause });
  }
}

export class ConfigError extends IndexerError {
  override name = "ConfigError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("INDEXER_ERR_CONFIG", 500, message, options);
  }
}

/** The code a stopped indexer answers with: a deep reorg names itself, anything else is INDEXER_ERR_STOPPED. */
export function stopCodeOf(failure: Error): (typeof INDEXER_STOP_CODES)[number] {
  return failure instanceof DeepReorgError ? "INDEXER_ERR_DEEP_REORG" : "INDEXER_ERR_STOPPED";
}
