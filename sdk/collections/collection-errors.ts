import { StrataError } from "../errors.ts";

/** The database's name was never published: there is no database (none is made implicitly). */
export class DatabaseNotPublishedError extends StrataError {
  constructor(name: string) {
    super("STRATA_ERR_DB_NOT_PUBLISHED", `no database is published under ${name}: create it first`);
  }
}

/** The database, or a part of it, could not be read: the indexer or every node holding it is unreachable. */
export class DatabaseUnavailableError extends StrataError {
  constructor(what: string, options?: ErrorOptions) {
    super("STRATA_ERR_DB_UNAVAILABLE", `${what} is unavailable: not cached here and not reachable`, options);
  }
}

/** Another writer committed since this database was opened: nothing of this commit was published. */
export class StaleCommitError extends StrataError {
  readonly current: bigint;
  readonly opened: bigint;

  constructor(opened: bigint, current: bigint, options?: ErrorOptions) {
    super(
      "STRATA_ERR_DB_STALE",
      `the database moved from sequence ${opened} to ${current} since it was opened: reopen, reapply, commit`,
      options,
    );
    this.opened = opened;
    this.current = current;
  }
}

/** What was read is not a Strata database (a pack that is not a CAR, a block that lies). */
export class DatabaseCorruptError extends StrataError {
  constructor(message: string, options?: ErrorOptions) {
    super("STRATA_ERR_DB_CORRUPT", message, options);
  }
}
