/**
 * Errors the SDK throws. Every one has a stable `code` (what scripts and the CLI branch on) and a
 * message a person can act on.
 */
export class StrataError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A contract call reverted; `errorName` and `args` are the contract's custom error, decoded. */
export class ContractRevertError extends StrataError {
  readonly errorName: string;
  readonly args: readonly unknown[];
  readonly functionName: string;

  constructor(functionName: string, errorName: string, args: readonly unknown[], options?: ErrorOptions) {
    const shown = args.map((arg) => (typeof arg === "bigint" ? arg.toString() : JSON.stringify(arg)));
    super("STRATA_ERR_REVERTED", `${functionName} reverted: ${errorName}(${shown.join(", ")})`, options);
    this.errorName = errorName;
    this.args = args;
    this.functionName = functionName;
  }
}

/** Bad arguments to an SDK call, caught before anything was sent. */
export class InvalidArgumentError extends StrataError {
  constructor(message: string) {
    super("STRATA_ERR_INVALID_ARGUMENT", message);
  }
}

/** Not enough suitable nodes for the upload (active, serving the tier, with room, healthy). */
export class NotEnoughNodesError extends StrataError {
  constructor(wanted: number, found: number, why: string) {
    super("STRATA_ERR_NOT_ENOUGH_NODES", `wanted ${wanted} nodes, found ${found} suitable: ${why}`);
  }
}

/** The account cannot pay: `needed` token base units, `balance` held. */
export class InsufficientFundsError extends StrataError {
  readonly needed: bigint;
  readonly balance: bigint;

  constructor(needed: bigint, balance: bigint) {
    super(
      "STRATA_ERR_INSUFFICIENT_FUNDS",
      `the upload costs ${needed} token units; the account holds ${balance}`,
    );
    this.needed = needed;
    this.balance = balance;
  }
}

/** One line on why a request to a node failed, with the socket error code when there is one. */
export function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = (error as Error).message ?? String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}

export interface NodeFailure {
  nodeId: number;
  endpoint: string;
  error: string;
  /** The node's error code when it refused (e.g. NODE_ERR_NODE_DROPPED), and the HTTP status. */
  code?: string;
  status?: number;
}

/** The codes a node refuses an upload with before reading it (HTTP 503). */
export { NODE_REFUSAL_CODES } from "../api/node/node-error-codes.ts";

/** A node named for an upload cannot take it now (`reason` is the node's code, or why it is unusable). */
export class NodeUnavailableError extends StrataError {
  readonly nodeId: number;
  readonly endpoint: string;
  readonly reason: string;

  constructor(failure: NodeFailure) {
    super(
      "STRATA_ERR_NODE_UNAVAILABLE",
      `node ${failure.nodeId} (${failure.endpoint}) cannot take an upload: ${failure.error}`,
    );
    this.nodeId = failure.nodeId;
    this.endpoint = failure.endpoint;
    this.reason = failure.code ?? failure.error;
  }
}

/**
 * An upload registered and paid for on chain that did not reach its quorum of attestations. The
 * escrow is safe: `reclaim(blobId)` refunds it once the certification deadline has passed.
 */
export class UploadError extends StrataError {
  readonly blobId: `0x${string}`;
  readonly failures: NodeFailure[];
  readonly attested: number[];

  constructor(blobId: `0x${string}`, failures: NodeFailure[], attested: number[], quorum: number) {
    const list = failures.map((f) => `node ${f.nodeId} (${f.endpoint}): ${f.error}`).join("; ");
    super(
      "STRATA_ERR_UPLOAD_FAILED",
      `blob ${blobId}: ${attested.length} of ${quorum} required nodes attested; ${list}. ` +
        "Reclaim the escrow with reclaim(blobId) once the certification deadline has passed.",
    );
    this.blobId = blobId;
    this.failures = failures;
    this.attested = attested;
  }
}

/** No node could serve the CID (or none is known to hold it). */
export class FetchFailedError extends StrataError {
  readonly failures: NodeFailure[];

  constructor(cid: string, failures: NodeFailure[], why = "every node failed") {
    const list = failures.map((f) => `node ${f.nodeId} (${f.endpoint}): ${f.error}`).join("; ");
    super("STRATA_ERR_FETCH_FAILED", `cannot get ${cid}: ${why}${list ? `: ${list}` : ""}`);
    this.failures = failures;
  }
}

/** A byte range that holds none of the file's bytes (checked against the file's verified root). */
export class RangeNotSatisfiableError extends StrataError {
  /** The file's size in bytes. */
  readonly size: number;

  constructor(cid: string, offset: number, size: number) {
    super("STRATA_ERR_RANGE", `${cid} has ${size} bytes: a range from byte ${offset} holds none of them`);
    this.size = size;
  }
}

/** Bytes a node sent do not hash to what the CID says: the node is faulty or malicious. */
export class VerificationError extends StrataError {
  constructor(message: string) {
    super("STRATA_ERR_VERIFICATION", message);
  }
}
