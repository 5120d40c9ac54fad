import { StrataError } from "../errors.ts";

/** Nothing was ever published under the name (the indexer answered, and does not know it). */
export class NameNotPublishedError extends StrataError {
  constructor(name: string) {
    super("STRATA_ERR_NAME_NOT_PUBLISHED", `name ${name} was never published`);
  }
}

/** The name could not be looked up: the indexer did not answer (the name may well exist). */
export class NameUnreachableError extends StrataError {
  constructor(name: string, cause: unknown) {
    super("STRATA_ERR_NAME_UNREACHABLE", `cannot resolve ${name}: the indexer did not answer`, { cause });
  }
}

/** The name's validity has passed: its value must not be used. */
export class NameExpiredError extends StrataError {
  readonly validity: number;

  constructor(name: string, validity: number) {
    super(
      "STRATA_ERR_NAME_EXPIRED",
      `name ${name} expired at ${new Date(validity * 1000).toISOString()}: publish it again`,
    );
    this.validity = validity;
  }
}

/** The name was locked: it never changes again. */
export class NameLockedError extends StrataError {
  constructor(name: string) {
    super("STRATA_ERR_NAME_LOCKED", `name ${name} is locked: it never changes again`);
  }
}
