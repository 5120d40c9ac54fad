/**
 * The base of every coded error of a Strata service: a stable `code` (`NODE_ERR_BLOB_NOT_REGISTERED`),
 * the HTTP status it maps to, a short message and the cause kept. Each service extends it once
 * (`NodeError`, `IndexerError`) and then once per condition.
 */
export class CodedError extends Error {
  override name = "CodedError";
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.statusCode = statusCode;
  }
}
