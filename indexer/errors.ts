/**
 * Errors of the indexer. Those a client can cause carry a stable code and the HTTP status they
 * map to.
 */
export class IndexerError extends Error {
  override name = "IndexerError";
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.statusCode = statusCode;
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

export class ConfigError extends IndexerError {
  override name = "ConfigError";
  constructor(message: string) {
    super("INDEXER_ERR_CONFIG", 500, message);
  }
}
