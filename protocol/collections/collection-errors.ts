import { ProtocolError } from "../errors.ts";

/** A document, query or index the collections engine refuses (the SDK and the node answer it as bad input). */
export class InvalidDocumentError extends ProtocolError {
  override name = "InvalidDocumentError";
  readonly code = "STRATA_ERR_INVALID_ARGUMENT";
}

/** Bytes that are not what they claim: a pack that is not a CAR, a block that does not match its CID. */
export class CorruptBlockError extends ProtocolError {
  override name = "CorruptBlockError";
  readonly code = "STRATA_ERR_DB_CORRUPT";
}
