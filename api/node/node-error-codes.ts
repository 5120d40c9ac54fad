import { type ErrorCodeInfo, errorEnvelope, errorResponses } from "../error-envelope.ts";

/**
 * Every code a storage node answers a refused request with. The first ones name a condition
 * (`node/errors.ts` has a class for each); the last five are the error handler's own: a schema
 * failure, a body too large for the parser, another client error, an internal error, no route.
 */
export const NODE_ERROR_CODES = [
  "NODE_ERR_INVALID_ID",
  "NODE_ERR_BLOB_NOT_REGISTERED",
  "NODE_ERR_BLOB_NOT_OPEN",
  "NODE_ERR_CONTENT_MISMATCH",
  "NODE_ERR_INVALID_CAR",
  "NODE_ERR_TOO_LARGE",
  "NODE_ERR_TRUNCATED",
  "NODE_ERR_STORAGE_FULL",
  "NODE_ERR_NOT_FOUND",
  "NODE_ERR_NOT_A_FILE",
  "NODE_ERR_RANGE",
  "NODE_ERR_NOT_ACCEPTABLE",
  "NODE_ERR_INVALID_QUERY",
  "NODE_ERR_INVALID_SIGNATURE",
  "NODE_ERR_DELETE_SIGNER",
  "NODE_ERR_DELETE_TYPED_DATA",
  "NODE_ERR_REQUEST_EXPIRED",
  "NODE_ERR_SIGNATURE_REQUIRED",
  "NODE_ERR_REPLAYED",
  "NODE_ERR_BLOB_LIVE",
  "NODE_ERR_CHAIN_UNAVAILABLE",
  "NODE_ERR_TX_REVERTED",
  "NODE_ERR_TX_DROPPED",
  "NODE_ERR_CONFIG",
  "NODE_ERR_DATASTORE_SPEC",
  "NODE_ERR_NO_MOUNT",
  "NODE_ERR_INVALID_SHARDS",
  "NODE_ERR_SHARDS_UNAVAILABLE",
  "NODE_ERR_MIGRATION_FAILED",
  "NODE_ERR_UPLOAD_STALLED",
  "NODE_ERR_NODE_DROPPED",
  "NODE_ERR_NODE_INACTIVE",
  "NODE_ERR_CHAIN_REFUSED",
  "NODE_ERR_INVALID_RECORD",
  "NODE_ERR_NOT_ANCHORED",
  "NODE_ERR_SNAPSHOT_NOT_COMMITTED",
  "NODE_ERR_VAULT_UNKNOWN",
  "NODE_ERR_VAULT_NOT_HOME",
  "NODE_ERR_VAULT_IS_HOME",
  "NODE_ERR_VAULT_FORBIDDEN",
  "NODE_ERR_VAULT_FROZEN",
  "NODE_ERR_VAULT_QUOTA",
  "NODE_ERR_LENGTH_REQUIRED",
  "NODE_ERR_DB_REFUSED",
  "NODE_ERR_JOB_RUNNING",
  "NODE_ERR_JOB_FINISHED",
  "NODE_ERR_BLOCK_CORRUPT",
  "NODE_ERR_VALIDATION",
  "NODE_ERR_BAD_REQUEST",
  "NODE_ERR_INTERNAL",
  "NODE_ERR_NO_ROUTE",
] as const;

export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

/** The codes a node refuses an upload with before reading it (HTTP 503): dropped, inactive, or cut off from the chain. */
export const NODE_REFUSAL_CODES = [
  "NODE_ERR_NODE_DROPPED",
  "NODE_ERR_NODE_INACTIVE",
  "NODE_ERR_CHAIN_UNAVAILABLE",
] as const satisfies readonly NodeErrorCode[];

/** A node's error envelope: `{ error: { code, message } }`. */
export const NodeErrorBody = errorEnvelope("NodeError", NODE_ERROR_CODES);

/**
 * Every code with its HTTP status and meaning: what the OpenAPI document lists per route, and
 * the one table the docs take the node's codes from.
 */
export const NODE_ERRORS = {
  NODE_ERR_INVALID_ID: {
    status: 400,
    meaning: "a malformed id in the path or body: CID, blob id, IPNS name, vault path",
  },
  NODE_ERR_BLOB_NOT_REGISTERED: {
    status: 403,
    meaning: "no registration of this blob on chain names this node",
  },
  NODE_ERR_BLOB_NOT_OPEN: {
    status: 409,
    meaning: "the blob takes no upload: certified already, ended, or this holder's place dropped",
  },
  NODE_ERR_CONTENT_MISMATCH: {
    status: 422,
    meaning: "the bytes do not match the registration: size, CID, commitment or shard commitment",
  },
  NODE_ERR_INVALID_CAR: {
    status: 422,
    meaning: "the CAR is not one UnixFS file DAG under the registered root, every block verified",
  },
  NODE_ERR_TOO_LARGE: { status: 413, meaning: "the body is larger than this node or route takes" },
  NODE_ERR_TRUNCATED: { status: 400, meaning: "the body ended before its declared or registered size" },
  NODE_ERR_STORAGE_FULL: { status: 507, meaning: "not enough room under the node's storage quota" },
  NODE_ERR_NOT_FOUND: { status: 404, meaning: "not stored (or not served) here" },
  NODE_ERR_NOT_A_FILE: { status: 422, meaning: "the CID is not a UnixFS file" },
  NODE_ERR_RANGE: {
    status: [416, 400],
    meaning: "a Range (416, with Content-Range: bytes */size) or entity-bytes (400) outside the content",
  },
  NODE_ERR_NOT_ACCEPTABLE: { status: 406, meaning: "no answer in a media type the request accepts" },
  NODE_ERR_INVALID_QUERY: {
    status: 400,
    meaning: "a trustless-gateway parameter malformed, unsupported or contradicting another",
  },
  NODE_ERR_INVALID_SIGNATURE: {
    status: 401,
    meaning: "a signature or signed request that is malformed or incomplete, or does not match its signer",
  },
  NODE_ERR_DELETE_SIGNER: {
    status: 401,
    meaning: "the delete request is signed by an account other than the blob's owner",
  },
  NODE_ERR_DELETE_TYPED_DATA: {
    status: 401,
    meaning:
      "the signature does not recover to the `signer` sent over the DeleteRequest typed data: another domain (name, version, chain id, the market as verifying contract), type or field",
  },
  NODE_ERR_REQUEST_EXPIRED: {
    status: 401,
    meaning:
      "a signed request outside its time window: a delete's expiry passed or more than an hour ahead, a vault request's timestamp more than two minutes off",
  },
  NODE_ERR_SIGNATURE_REQUIRED: {
    status: 401,
    meaning:
      "the chain still holds the blob (or only a cached copy is here): an owner-signed request is needed",
  },
  NODE_ERR_REPLAYED: { status: 409, meaning: "this signed request (its nonce) was used before" },
  NODE_ERR_BLOB_LIVE: {
    status: 409,
    meaning: "the blob is certified and live on chain: delete it there first",
  },
  NODE_ERR_CHAIN_UNAVAILABLE: { status: 503, meaning: "the node cannot reach the chain now: try again" },
  NODE_ERR_TX_REVERTED: { status: 502, meaning: "a transaction of the node's reverted" },
  NODE_ERR_TX_DROPPED: {
    status: 503,
    meaning: "a transaction of the node's left the chain without a receipt",
  },
  NODE_ERR_CONFIG: { status: 500, meaning: "the node's configuration is wrong (at start)" },
  NODE_ERR_DATASTORE_SPEC: {
    status: 500,
    meaning:
      "the configured datastore spec or shard function is not the one the data directory was made with (at start)",
  },
  NODE_ERR_NO_MOUNT: {
    status: 500,
    meaning: "a key under no mount of the datastore spec (a node's spec must mount /: refused at start)",
  },
  NODE_ERR_INVALID_SHARDS: {
    status: 422,
    meaning: "shard parameters that do not fit the cold registration (roots, holder, tier)",
  },
  NODE_ERR_SHARDS_UNAVAILABLE: {
    status: 503,
    meaning: "too few shard holders answered to rebuild a cold blob",
  },
  NODE_ERR_MIGRATION_FAILED: { status: 502, meaning: "a migration between the tiers or of a vault failed" },
  NODE_ERR_UPLOAD_STALLED: { status: 408, meaning: "no byte of the body arrived for the idle timeout" },
  NODE_ERR_NODE_DROPPED: { status: 503, meaning: "the proof system dropped this node: it takes no uploads" },
  NODE_ERR_NODE_INACTIVE: {
    status: 503,
    meaning: "this node is not active in the registry: it takes no uploads",
  },
  NODE_ERR_CHAIN_REFUSED: {
    status: 409,
    meaning: "the chain refused the node's transaction (the revert is named)",
  },
  NODE_ERR_INVALID_RECORD: { status: 400, meaning: "an IPNS record the IPNS validator refuses" },
  NODE_ERR_NOT_ANCHORED: {
    status: 409,
    meaning: "the name's confirmed chain update does not carry this IPNS record",
  },
  NODE_ERR_SNAPSHOT_NOT_COMMITTED: {
    status: 409,
    meaning: "not the vault's snapshot the chain has committed (sequence or manifest)",
  },
  NODE_ERR_VAULT_UNKNOWN: {
    status: 404,
    meaning: "the vault is not held here (unknown, closed, or not restored yet)",
  },
  NODE_ERR_VAULT_NOT_HOME: {
    status: 409,
    meaning: "this node is not the vault's home: it takes writes there",
  },
  NODE_ERR_VAULT_IS_HOME: {
    status: 409,
    meaning: "this node is the vault's home: it cannot migrate to itself or release its copy",
  },
  NODE_ERR_VAULT_FORBIDDEN: { status: 403, meaning: "the signer may not do this in the vault" },
  NODE_ERR_VAULT_FROZEN: { status: 423, meaning: "the vault is frozen or moved: it takes no writes" },
  NODE_ERR_VAULT_QUOTA: { status: 507, meaning: "not enough room under the vault's quota" },
  NODE_ERR_LENGTH_REQUIRED: { status: 411, meaning: "a vault file's write needs its Content-Length" },
  NODE_ERR_DB_REFUSED: {
    status: 400,
    meaning:
      "the collections engine refused the operation: a duplicate _id, an unknown operator, a bad filter",
  },
  NODE_ERR_JOB_RUNNING: { status: 409, meaning: "the vault has a job of that kind running" },
  NODE_ERR_JOB_FINISHED: { status: 409, meaning: "the job has ended: it can no longer be cancelled" },
  NODE_ERR_BLOCK_CORRUPT: {
    status: 422,
    meaning: "a block does not hash to its CID, or is not what it should be",
  },
  NODE_ERR_VALIDATION: { status: 400, meaning: "the request does not match the route's schema" },
  NODE_ERR_BAD_REQUEST: {
    status: [400, 415],
    meaning:
      "a request the server refused before the route: malformed JSON (400), an unsupported Content-Type (415)",
  },
  NODE_ERR_INTERNAL: { status: 500, meaning: "an internal error: the node logged it" },
  NODE_ERR_NO_ROUTE: { status: 404, meaning: "no such route" },
} as const satisfies Record<NodeErrorCode, ErrorCodeInfo>;

/**
 * `{ 400: envelope, 404: envelope, ... }` from the codes a node route answers with (each at its
 * status, or `[code, status]`), NODE_ERR_INTERNAL always.
 */
export const nodeErrors = errorResponses<NodeErrorCode>(NODE_ERRORS, ["NODE_ERR_INTERNAL"]);
