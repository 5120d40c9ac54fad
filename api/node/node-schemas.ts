import { type Static, Type } from "@sinclair/typebox";
import { BinaryReply, BlobIdPattern, HexPattern, rawBody } from "../error-envelope.ts";
import { CAR_TYPE, RAW_TYPE } from "./gateway-params.ts";
import { nodeErrors } from "./node-error-codes.ts";
import { NodeHeader } from "./node-paths.ts";

/** A holder's EIP-712 attestation that it stores a blob (or its shard). */
export const Attestation = Type.Object({
  holder: Type.Integer(),
  expiry: Type.String({ description: "Unix seconds, decimal" }),
  r: Type.String({ pattern: HexPattern }),
  vs: Type.String({ pattern: HexPattern }),
  signature: Type.String({ pattern: HexPattern }),
});

export const StoreReply = Type.Object({
  blobId: Type.String({ pattern: BlobIdPattern }),
  cid: Type.String(),
  size: Type.Integer(),
  commitment: Type.String({ pattern: HexPattern }),
  nodeId: Type.Integer(),
  holder: Type.Integer(),
  attestation: Attestation,
});

export const ShardReply = Type.Object({
  blobId: Type.String({ pattern: BlobIdPattern }),
  cid: Type.String(),
  nodeId: Type.Integer(),
  holder: Type.Integer(),
  shardRoot: Type.String({ pattern: HexPattern }),
  attestation: Attestation,
});

export const ShardMeta = Type.Object({
  blobId: Type.String(),
  cid: Type.String(),
  size: Type.Integer(),
  holder: Type.Integer(),
  nodes: Type.Integer(),
  recovery: Type.Integer(),
  shardSize: Type.Integer(),
  shardRoots: Type.Array(Type.String({ pattern: HexPattern })),
});

export const MigrateBody = Type.Object(
  {
    blobId: Type.String({ pattern: BlobIdPattern }),
    to: Type.Union([Type.Literal("cold"), Type.Literal("hot")]),
    coldBlobId: Type.Optional(Type.String({ pattern: BlobIdPattern })),
  },
  { additionalProperties: false },
);

export const MigrateReply = Type.Object({
  blobId: Type.String(),
  to: Type.Union([Type.Literal("cold"), Type.Literal("hot")]),
  cid: Type.String(),
  coldBlobId: Type.Optional(Type.String()),
  attested: Type.Optional(Type.Array(Type.Integer())),
  failures: Type.Optional(Type.Array(Type.Object({ nodeId: Type.Integer(), error: Type.String() }))),
  certified: Type.Optional(Type.Boolean()),
  transaction: Type.Optional(Type.String({ pattern: HexPattern })),
  size: Type.Optional(Type.Integer()),
});

export const DeleteFileBody = Type.Object(
  {
    blobId: Type.String({ pattern: BlobIdPattern }),
    expiry: Type.Optional(Type.Integer({ minimum: 0, description: "Unix seconds" })),
    nonce: Type.Optional(Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" })),
    signature: Type.Optional(Type.String({ pattern: HexPattern })),
    signer: Type.Optional(
      Type.String({
        pattern: "^0x[0-9a-fA-F]{40}$",
        description:
          "The account that signed: a refusal then tells a signer who is not the owner (NODE_ERR_DELETE_SIGNER) from typed data other than the node's DeleteRequest (NODE_ERR_DELETE_TYPED_DATA)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const DeleteFileReply = Type.Object({
  cid: Type.String(),
  released: Type.Array(Type.String()),
  evicted: Type.Boolean(),
});

export const HealthOk = Type.Object({
  status: Type.Literal("ok"),
  nodeId: Type.Integer(),
  block: Type.String(),
});

export const HealthDegraded = Type.Object(
  {
    status: Type.Literal("degraded"),
    nodeId: Type.Integer(),
    reason: Type.String(),
    code: Type.Optional(
      Type.Unsafe<"NODE_ERR_NODE_DROPPED" | "NODE_ERR_NODE_INACTIVE">({
        type: "string",
        enum: ["NODE_ERR_NODE_DROPPED", "NODE_ERR_NODE_INACTIVE"],
        description: "Why uploads are refused; absent when the chain is out of reach",
      }),
    ),
    message: Type.Optional(Type.String()),
  },
  {
    description:
      "Degraded: NODE_ERR_NODE_DROPPED or NODE_ERR_NODE_INACTIVE (it takes no uploads), or no code when the chain cannot be reached",
  },
);

const RootsPattern = "^0x[0-9a-f]{64}(,0x[0-9a-f]{64}){0,15}$";
const BlobQuery = Type.Object({ blobId: Type.String({ pattern: BlobIdPattern }) });
const BlobParams = BlobQuery;
const FileParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: "CID" }) });
const ContentLength = Type.Optional(Type.Integer({ minimum: 0 }));
const OCTETS = "application/octet-stream";

/** What a paid upload (PUT /store, PUT /shard) can be refused with, besides its own codes. */
const UPLOAD_ERRORS = [
  "NODE_ERR_VALIDATION",
  "NODE_ERR_NODE_DROPPED",
  "NODE_ERR_NODE_INACTIVE",
  "NODE_ERR_CHAIN_UNAVAILABLE",
  "NODE_ERR_BLOB_NOT_REGISTERED",
  "NODE_ERR_BLOB_NOT_OPEN",
  "NODE_ERR_STORAGE_FULL",
  "NODE_ERR_TOO_LARGE",
  "NODE_ERR_TRUNCATED",
  "NODE_ERR_UPLOAD_STALLED",
  "NODE_ERR_CONTENT_MISMATCH",
  "NODE_ERR_TX_REVERTED",
  "NODE_ERR_TX_DROPPED",
  "NODE_ERR_CHAIN_REFUSED",
] as const;

/** Each route's schema (params, query, headers, body, every response status), as Fastify takes it. */
export const NodeSchema = {
  store: {
    querystring: BlobQuery,
    headers: Type.Object({ "content-length": ContentLength }),
    ...rawBody(
      "The blob: its bytes (application/octet-stream), or a CAR (CARv1) of one UnixFS file DAG whose root is the registered CID (application/vnd.ipld.car)",
      [OCTETS, CAR_TYPE],
    ),
    response: {
      200: StoreReply,
      ...nodeErrors(...UPLOAD_ERRORS, "NODE_ERR_INVALID_CAR", "NODE_ERR_BAD_REQUEST"),
    },
  },
  shard: {
    querystring: BlobQuery,
    headers: Type.Object({
      [NodeHeader.shardRoots]: Type.String({ pattern: RootsPattern }),
      "content-length": ContentLength,
    }),
    ...rawBody("This holder's shard, stripe after stripe", [OCTETS]),
    response: { 200: ShardReply, ...nodeErrors(...UPLOAD_ERRORS, "NODE_ERR_INVALID_SHARDS") },
  },
  shardPart: {
    params: BlobParams,
    querystring: Type.Object({
      part: Type.Union([Type.Literal("primary"), Type.Literal("whole")], { default: "primary" }),
    }),
    response: {
      200: BinaryReply("The bytes, stripe after stripe", [OCTETS]),
      ...nodeErrors("NODE_ERR_VALIDATION", "NODE_ERR_NOT_FOUND"),
    },
  },
  repair: {
    params: BlobParams,
    querystring: Type.Object({ lost: Type.Integer({ minimum: 0, maximum: 15 }) }),
    response: {
      200: BinaryReply("1 symbol per stripe", [OCTETS]),
      ...nodeErrors("NODE_ERR_VALIDATION", "NODE_ERR_NOT_FOUND", "NODE_ERR_INVALID_SHARDS"),
    },
  },
  meta: {
    params: BlobParams,
    response: { 200: ShardMeta, ...nodeErrors("NODE_ERR_VALIDATION", "NODE_ERR_NOT_FOUND") },
  },
  readFile: {
    params: FileParams,
    headers: Type.Object({
      range: Type.Optional(Type.String()),
      "if-none-match": Type.Optional(Type.String()),
    }),
    response: {
      200: BinaryReply("The blob's bytes (Content-Type: the MIME type it was registered with)", [OCTETS]),
      206: BinaryReply("The requested range of the blob", [OCTETS]),
      304: Type.Null({ description: "Not modified (ETag matched)" }),
      ...nodeErrors(
        "NODE_ERR_VALIDATION",
        "NODE_ERR_INVALID_ID",
        "NODE_ERR_NOT_FOUND",
        "NODE_ERR_NOT_A_FILE",
        ["NODE_ERR_RANGE", 416],
        "NODE_ERR_CONTENT_MISMATCH",
        "NODE_ERR_SHARDS_UNAVAILABLE",
        "NODE_ERR_STORAGE_FULL",
        "NODE_ERR_CHAIN_UNAVAILABLE",
      ),
    },
  },
  deleteFile: {
    params: FileParams,
    body: DeleteFileBody,
    response: {
      200: DeleteFileReply,
      ...nodeErrors(
        "NODE_ERR_VALIDATION",
        "NODE_ERR_BAD_REQUEST",
        "NODE_ERR_TOO_LARGE",
        "NODE_ERR_INVALID_ID",
        "NODE_ERR_NOT_FOUND",
        "NODE_ERR_INVALID_SIGNATURE",
        "NODE_ERR_DELETE_SIGNER",
        "NODE_ERR_DELETE_TYPED_DATA",
        "NODE_ERR_REQUEST_EXPIRED",
        "NODE_ERR_SIGNATURE_REQUIRED",
        "NODE_ERR_REPLAYED",
        "NODE_ERR_BLOB_LIVE",
        "NODE_ERR_CHAIN_UNAVAILABLE",
      ),
    },
  },
  ipfs: {
    params: Type.Object({ cid: Type.String({ minLength: 1, maxLength: 200 }) }),
    querystring: Type.Object({
      format: Type.Optional(Type.String({ description: "raw or car; overrides Accept" })),
      "dag-scope": Type.Optional(
        Type.String({ description: "CAR answers: block, entity or all (the default)" }),
      ),
      "entity-bytes": Type.Optional(
        Type.String({
          description:
            "CAR answers: from:to, inclusive (negative from the end, * for the end): only the blocks that byte range of a UnixFS file needs",
        }),
      ),
      "car-version": Type.Optional(Type.String({ description: "1 (the only version served)" })),
      "car-order": Type.Optional(Type.String({ description: "dfs or unk: blocks always come depth-first" })),
      "car-dups": Type.Optional(
        Type.String({ description: "y: duplicate blocks each time; n (default): once" }),
      ),
    }),
    headers: Type.Object({
      accept: Type.Optional(Type.String()),
      "if-none-match": Type.Optional(Type.String()),
    }),
    response: {
      200: BinaryReply("A raw block (application/vnd.ipld.raw) or a CAR stream (application/vnd.ipld.car)", [
        RAW_TYPE,
        CAR_TYPE,
      ]),
      304: Type.Null({ description: "Not modified (ETag matched)" }),
      ...nodeErrors(
        "NODE_ERR_VALIDATION",
        "NODE_ERR_INVALID_ID",
        "NODE_ERR_INVALID_QUERY",
        ["NODE_ERR_RANGE", 400],
        "NODE_ERR_NOT_FOUND",
        "NODE_ERR_NOT_ACCEPTABLE",
      ),
    },
  },
  migrate: {
    body: MigrateBody,
    response: {
      200: MigrateReply,
      ...nodeErrors(
        "NODE_ERR_VALIDATION",
        "NODE_ERR_BAD_REQUEST",
        "NODE_ERR_TOO_LARGE",
        "NODE_ERR_NOT_FOUND",
        "NODE_ERR_BLOB_NOT_REGISTERED",
        "NODE_ERR_BLOB_NOT_OPEN",
        "NODE_ERR_INVALID_SHARDS",
        "NODE_ERR_CONTENT_MISMATCH",
        "NODE_ERR_SHARDS_UNAVAILABLE",
        "NODE_ERR_STORAGE_FULL",
        "NODE_ERR_MIGRATION_FAILED",
        "NODE_ERR_CHAIN_UNAVAILABLE",
        "NODE_ERR_TX_REVERTED",
        "NODE_ERR_TX_DROPPED",
        "NODE_ERR_CHAIN_REFUSED",
      ),
    },
  },
  health: { response: { 200: HealthOk, 503: HealthDegraded, ...nodeErrors() } },
  metrics: {
    response: {
      200: Type.Unsafe<string>({
        description: "The Prometheus text format",
        content: { "text/plain": { schema: { type: "string" } } },
      }),
      ...nodeErrors(),
    },
  },
  stats: { response: nodeErrors() },
};

export type Attestation = Static<typeof Attestation>;
export type StoreReply = Static<typeof StoreReply>;
export type ShardReply = Static<typeof ShardReply>;
export type ShardMeta = Static<typeof ShardMeta>;
export type MigrateBody = Static<typeof MigrateBody>;
export type MigrateReply = Static<typeof MigrateReply>;
export type DeleteFileBody = Static<typeof DeleteFileBody>;
export type DeleteFileReply = Static<typeof DeleteFileReply>;
export type HealthOk = Static<typeof HealthOk>;
export type HealthDegraded = Static<typeof HealthDegraded>;
