import type { NodeErrorCode } from "../api/node/index.ts";
import { CodedError } from "../service/coded-error.ts";
import { contractRevert } from "../service/contract-revert.ts";

/**
 * Errors of the storage node. Every error a client can cause carries a stable code (NODE_ERR_...)
 * and the HTTP status it maps to; the message is short and the cause is kept.
 */
export class NodeError extends CodedError {
  override name = "NodeError";
  declare readonly code: NodeErrorCode;

  constructor(code: NodeErrorCode, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(code, statusCode, message, options);
  }
}

export class InvalidIdError extends NodeError {
  override name = "InvalidIdError";
  constructor(kind: string, value: string) {
    super("NODE_ERR_INVALID_ID", 400, `not a valid ${kind}: ${value.slice(0, 100)}`);
  }
}

export class BlobNotRegisteredError extends NodeError {
  override name = "BlobNotRegisteredError";
  constructor(blobId: string) {
    super("NODE_ERR_BLOB_NOT_REGISTERED", 403, `no registration of ${blobId} names this node`);
  }
}

export class BlobNotOpenError extends NodeError {
  override name = "BlobNotOpenError";
  constructor(blobId: string, status: string) {
    super("NODE_ERR_BLOB_NOT_OPEN", 409, `blob ${blobId} is ${status}: it takes no upload`);
  }
}

export class ContentMismatchError extends NodeError {
  override name = "ContentMismatchError";
  constructor(what: "size" | "cid" | "commitment" | "shard commitment", expected: string, actual: string) {
    super(
      "NODE_ERR_CONTENT_MISMATCH",
      422,
      `uploaded ${what} ${actual} does not match the registered ${expected}`,
    );
  }
}

/** A CAR upload that is not one UnixFS file DAG under the registered root, every block verified. */
export class InvalidCarError extends NodeError {
  override name = "InvalidCarError";
  constructor(reason: string) {
    super("NODE_ERR_INVALID_CAR", 422, `the CAR is refused: ${reason}`);
  }
}

export class PayloadTooLargeError extends NodeError {
  override name = "PayloadTooLargeError";
  constructor(limit: number) {
    super("NODE_ERR_TOO_LARGE", 413, `the body exceeds ${limit} bytes`);
  }
}

export class TruncatedBodyError extends NodeError {
  override name = "TruncatedBodyError";
  constructor(received: number, expected: number) {
    super("NODE_ERR_TRUNCATED", 400, `the body ended after ${received} of ${expected} bytes`);
  }
}

export class StorageFullError extends NodeError {
  override name = "StorageFullError";
  constructor(needed: number, free: number, freeInodes?: number) {
    super(
      "NODE_ERR_STORAGE_FULL",
      507,
      freeInodes === undefined
        ? `${needed} bytes needed, ${free} free under the storage quota`
        : `${needed} bytes need more files than the ${freeInodes} inodes the file system has left`,
    );
  }
}

export class NotFoundError extends NodeError {
  override name = "NotFoundError";
  constructor(what: string) {
    super("NODE_ERR_NOT_FOUND", 404, `${what} is not stored here`);
  }
}

export class NotAFileError extends NodeError {
  override name = "NotAFileError";
  constructor(cid: string, kind: string) {
    super("NODE_ERR_NOT_A_FILE", 422, `${cid} is not a UnixFS file (${kind})`);
  }
}

export class RangeNotSatisfiableError extends NodeError {
  override name = "RangeNotSatisfiableError";
  readonly size: number;
  constructor(range: string, size: number) {
    super("NODE_ERR_RANGE", 416, `range ${range.slice(0, 100)} cannot be served from ${size} bytes`);
    this.size = size;
  }
}

/** A trustless-gateway parameter that is malformed, unsupported or contradicts another. */
export class InvalidGatewayQueryError extends NodeError {
  override name = "InvalidGatewayQueryError";
  constructor(message: string) {
    super("NODE_ERR_INVALID_QUERY", 400, message);
  }
}

/** `entity-bytes` that holds none of a file's bytes (the trustless gateway spec's 400). */
export class EntityBytesOutsideError extends NodeError {
  override name = "EntityBytesOutsideError";
  readonly size: number;
  constructor(bytes: { from: number; to: number | "*" }, size: number) {
    super(
      "NODE_ERR_RANGE",
      400,
      `entity-bytes=${bytes.from}:${bytes.to} holds none of the file's ${size} bytes`,
    );
    this.size = size;
  }
}

export class NotAcceptableError extends NodeError {
  override name = "NotAcceptableError";
  constructor(accept: string) {
    super(
      "NODE_ERR_NOT_ACCEPTABLE",
      406,
      `cannot answer ${accept.slice(0, 100) || "no format"}: ask for application/vnd.ipld.raw or application/vnd.ipld.car`,
    );
  }
}

/** An IPNS record that fails the IPNS validator (signature, size, end of life, encoding). */
export class InvalidRecordError extends NodeError {
  override name = "InvalidRecordError";
  constructor(message: string) {
    super("NODE_ERR_INVALID_RECORD", 400, message);
  }
}

/** An IPNS record the name's confirmed chain update does not carry (older, newer, other value). */
export class NotAnchoredError extends NodeError {
  override name = "NotAnchoredError";
  constructor(message: string) {
    super("NODE_ERR_NOT_ANCHORED", 409, message);
  }
}

export class InvalidSignatureError extends NodeError {
  override name = "InvalidSignatureError";
  constructor(reason: string) {
    super("NODE_ERR_INVALID_SIGNATURE", 401, reason);
  }
}

/** A well-formed delete request signed by someone other than the blob's owner. */
export class DeleteSignerError extends NodeError {
  override name = "DeleteSignerError";
  constructor(signer: string, owner: string, detail = "") {
    super("NODE_ERR_DELETE_SIGNER", 401, `signed by ${signer}, not by the blob's owner ${owner}${detail}`);
  }
}

/** A delete signature over other typed data than the node's DeleteRequest: it does not recover to its signer. */
export class DeleteTypedDataError extends NodeError {
  override name = "DeleteTypedDataError";
  constructor(signer: string, recovered: string) {
    super(
      "NODE_ERR_DELETE_TYPED_DATA",
      401,
      `the signature recovers to ${recovered}, not to the signer ${signer}, over the DeleteRequest typed data: check the domain (name "Strata StorageMarket", version "1", the chain id, the market as verifying contract) and the type DeleteRequest(bytes32 blobId,uint64 expiry,bytes32 nonce)`,
    );
  }
}

/** A signed request outside its time window (a delete's expiry, a vault request's timestamp). */
export class RequestExpiredError extends NodeError {
  override name = "RequestExpiredError";
  constructor(reason: string) {
    super("NODE_ERR_REQUEST_EXPIRED", 401, reason);
  }
}

/** A request that needs the owner's signature and came without one. */
export class SignatureRequiredError extends NodeError {
  override name = "SignatureRequiredError";
  constructor(reason: string) {
    super("NODE_ERR_SIGNATURE_REQUIRED", 401, reason);
  }
}

export class ReplayedRequestError extends NodeError {
  override name = "ReplayedRequestError";
  constructor() {
    super("NODE_ERR_REPLAYED", 409, "this signed request was already used");
  }
}

export class BlobStillLiveError extends NodeError {
  override name = "BlobStillLiveError";
  constructor(blobId: string) {
    super("NODE_ERR_BLOB_LIVE", 409, `blob ${blobId} is certified and live on chain: delete it there first`);
  }
}

export class ChainUnavailableError extends NodeError {
  override name = "ChainUnavailableError";
  constructor(cause: unknown) {
    super("NODE_ERR_CHAIN_UNAVAILABLE", 503, "the chain could not be reached", { cause });
  }
}

export class TransactionRevertedError extends NodeError {
  override name = "TransactionRevertedError";
  constructor(label: string, hash: string) {
    super("NODE_ERR_TX_REVERTED", 502, `${label}: transaction ${hash} reverted`);
  }
}

export class TransactionDroppedError extends NodeError {
  override name = "TransactionDroppedError";
  constructor(label: string, hash: string) {
    super("NODE_ERR_TX_DROPPED", 503, `${label}: transaction ${hash} left the chain without a receipt`);
  }
}

export class ConfigError extends NodeError {
  override name = "ConfigError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("NODE_ERR_CONFIG", 500, message, options);
  }
}

/** The configured `storage.spec` lays data out otherwise than the data directory's `datastore_spec`. */
export class DatastoreSpecMismatchError extends NodeError {
  override name = "DatastoreSpecMismatchError";
  constructor(file: string, onDisk: string, configured: string) {
    super(
      "NODE_ERR_DATASTORE_SPEC",
      500,
      `the datastore spec on disk (${file}) is ${onDisk} but storage.spec is ${configured}: configure the spec the data directory was made with, or move its data to a new directory`,
    );
  }
}

/** A flat-file store whose `SHARDING` names another shard function than the configured one. */
export class ShardFunctionMismatchError extends NodeError {
  override name = "ShardFunctionMismatchError";
  constructor(path: string, onDisk: string, configured: string) {
    super(
      "NODE_ERR_DATASTORE_SPEC",
      500,
      `the flatfs store ${path} is sharded by ${onDisk} (its SHARDING file) but the spec says ${configured}: its blocks would not be found`,
    );
  }
}

/** A key no store of the spec is mounted for (a spec without a `/` mount). */
export class UnmountedKeyError extends NodeError {
  override name = "UnmountedKeyError";
  constructor(key: string, mountpoints: readonly string[]) {
    super(
      "NODE_ERR_NO_MOUNT",
      500,
      `no store is mounted for key ${key.slice(0, 120)} (mountpoints: ${mountpoints.join(", ")})`,
    );
  }
}

export class InvalidShardsError extends NodeError {
  override name = "InvalidShardsError";
  constructor(reason: string) {
    super("NODE_ERR_INVALID_SHARDS", 422, reason);
  }
}

export class ShardsUnavailableError extends NodeError {
  override name = "ShardsUnavailableError";
  constructor(blobId: string, reachable: number, needed: number, options?: { cause?: unknown }) {
    super(
      "NODE_ERR_SHARDS_UNAVAILABLE",
      503,
      `cold blob ${blobId}: ${reachable} shard holders answered, ${needed} are needed to rebuild it`,
      options,
    );
  }
}

export class MigrationFailedError extends NodeError {
  override name = "MigrationFailedError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("NODE_ERR_MIGRATION_FAILED", 502, message, options);
  }
}

export class UploadStalledError extends NodeError {
  override name = "UploadStalledError";
  constructor(idleMs: number) {
    super(
      "NODE_ERR_UPLOAD_STALLED",
      408,
      `no byte of the body arrived for ${idleMs} ms: the upload was dropped`,
    );
  }
}

export class NodeDroppedError extends NodeError {
  override name = "NodeDroppedError";
  constructor(nodeId: number) {
    super(
      "NODE_ERR_NODE_DROPPED",
      503,
      `node ${nodeId} was dropped by the proof system: it takes no uploads`,
    );
  }
}

export class NodeInactiveError extends NodeError {
  override name = "NodeInactiveError";
  constructor(nodeId: number) {
    super("NODE_ERR_NODE_INACTIVE", 503, `node ${nodeId} is not active in the registry: it takes no uploads`);
  }
}

export class ChainRefusedError extends NodeError {
  override name = "ChainRefusedError";
  constructor(errorName: string, options?: { cause?: unknown }) {
    super("NODE_ERR_CHAIN_REFUSED", 409, `the chain refused the node's transaction: ${errorName}`, options);
  }
}

/**
 * A coded error for a transaction of the node's that the chain refused (enrolling a blob the node
 * stored, say): the node dropped or inactive are 503s, anything else a 409 naming the revert.
 */
export function nodeErrorOfRevert(error: unknown): NodeError | undefined {
  const revert = contractRevert(error);
  if (!revert) return undefined;
  // both errors name the node first
  if (revert.name === "ProofsNodeDropped") return new NodeDroppedError(Number(revert.args[0]));
  if (revert.name === "NodeRegistryNodeInactive") return new NodeInactiveError(Number(revert.args[0]));
  return new ChainRefusedError(revert.name, { cause: error });
}

export class VaultUnknownError extends NodeError {
  override name = "VaultUnknownError";
  constructor(vaultId: number, why: string) {
    super("NODE_ERR_VAULT_UNKNOWN", 404, `vault ${vaultId} is not held here: ${why}`);
  }
}

export class VaultNotHomeError extends NodeError {
  override name = "VaultNotHomeError";
  constructor(vaultId: number, home: number) {
    super("NODE_ERR_VAULT_NOT_HOME", 409, `vault ${vaultId}'s home is node ${home}: it takes writes there`);
  }
}

export class VaultForbiddenError extends NodeError {
  override name = "VaultForbiddenError";
  constructor(signer: string, needed: string) {
    super("NODE_ERR_VAULT_FORBIDDEN", 403, `${signer} may not ${needed} in this vault`);
  }
}

export class VaultFrozenError extends NodeError {
  override name = "VaultFrozenError";
  constructor(vaultId: number, mode: string) {
    super("NODE_ERR_VAULT_FROZEN", 423, `vault ${vaultId} is ${mode}: it takes no writes`);
  }
}

export class VaultQuotaError extends NodeError {
  override name = "VaultQuotaError";
  constructor(needed: number, free: number) {
    super("NODE_ERR_VAULT_QUOTA", 507, `${needed} bytes needed, ${free} free under the vault's quota`);
  }
}

export class JobRunningError extends NodeError {
  override name = "JobRunningError";
  constructor(vaultId: number, job: string, kind: string) {
    super("NODE_ERR_JOB_RUNNING", 409, `vault ${vaultId} has a ${kind} running (job ${job})`);
  }
}

export class JobFinishedError extends NodeError {
  override name = "JobFinishedError";
  constructor(job: string, state: string) {
    super("NODE_ERR_JOB_FINISHED", 409, `job ${job} is ${state}: it can no longer be cancelled`);
  }
}

export class BlockCorruptError extends NodeError {
  override name = "BlockCorruptError";
  readonly cid: string;
  constructor(cid: string, why: string) {
    super("NODE_ERR_BLOCK_CORRUPT", 422, `block ${cid} ${why}`);
    this.cid = cid;
  }
}

export class SnapshotNotCommittedError extends NodeError {
  override name = "SnapshotNotCommittedError";
  constructor(message: string) {
    super("NODE_ERR_SNAPSHOT_NOT_COMMITTED", 409, message);
  }
}

/** A request only another node than the vault's home can honour (migrate to itself, release its copy). */
export class VaultIsHomeError extends NodeError {
  override name = "VaultIsHomeError";
  constructor(vaultId: number, refused: string) {
    super("NODE_ERR_VAULT_IS_HOME", 409, `this node is vault ${vaultId}'s home: ${refused}`);
  }
}

export class LengthRequiredError extends NodeError {
  override name = "LengthRequiredError";
  constructor(what: string) {
    super("NODE_ERR_LENGTH_REQUIRED", 411, `${what} needs its Content-Length`);
  }
}

/** What the collections engine refuses (a duplicate _id, an unknown operator, a bad filter): the caller's error. */
export class DbRefusedError extends NodeError {
  override name = "DbRefusedError";
  constructor(message: string) {
    super("NODE_ERR_DB_REFUSED", 400, message);
  }
}
