import { type Static, Type } from "@sinclair/typebox";
import { BlobIdPattern, Bytes, HexPattern } from "../error-envelope.ts";
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

export const HealthDegraded = Type.Object({
  status: Type.Literal("degraded"),
  nodeId: Type.Integer(),
  reason: Type.String(),
  code: Type.Optional(
    Type.String({ description: "NODE_ERR_NODE_DROPPED or NODE_ERR_NODE_INACTIVE: uploads are refused" }),
  ),
  message: Type.Optional(Type.String()),
});

const RootsPattern = "^0x[0-9a-f]{64}(,0x[0-9a-f]{64}){0,15}$";
const BlobQuery = Type.Object({ blobId: Type.String({ pattern: BlobIdPattern }) });
const BlobParams = BlobQuery;
const FileParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: "CID" }) });
const ContentLength = Type.Optional(Type.Integer({ minimum: 0 }));

/** Each route's schema (params, query, headers, body, every response status), as Fastify takes it. */
export const NodeSchema = {
  store: {
    querystring: BlobQuery,
    headers: Type.Object({ "content-length": ContentLength }),
    response: { 200: StoreReply, ...nodeErrors(400, 403, 408, 409, 413, 422, 503, 507) },
  },
  shard: {
    querystring: BlobQuery,
    headers: Type.Object({
      [NodeHeader.shardRoots]: Type.String({ pattern: RootsPattern }),
      "content-length": ContentLength,
    }),
    response: { 200: ShardReply, ...nodeErrors(400, 403, 408, 409, 413, 422, 503, 507) },
  },
  shardPart: {
    params: BlobParams,
    querystring: Type.Object({
      part: Type.Union([Type.Literal("primary"), Type.Literal("whole")], { default: "primary" }),
    }),
    response: { 200: Bytes("The bytes, stripe after stripe"), ...nodeErrors(400, 404) },
  },
  repair: {
    params: BlobParams,
    querystring: Type.Object({ lost: Type.Integer({ minimum: 0, maximum: 15 }) }),
    response: { 200: Bytes("1 symbol per stripe"), ...nodeErrors(400, 404, 422) },
  },
  meta: { params: BlobParams, response: { 200: ShardMeta, ...nodeErrors(400, 404) } },
  readFile: {
    params: FileParams,
    headers: Type.Object({
      range: Type.Optional(Type.String()),
      "if-none-match": Type.Optional(Type.String()),
    }),
    response: {
      200: Bytes("The blob's bytes"),
      206: Bytes("The requested range of the blob"),
      304: Type.Null({ description: "Not modified (ETag matched)" }),
      ...nodeErrors(400, 404, 416, 503),
    },
  },
  deleteFile: {
    params: FileParams,
    body: DeleteFileBody,
    response: { 200: DeleteFileReply, ...nodeErrors(400, 401, 404, 409, 503) },
  },
  ipfs: {
    params: Type.Object({ cid: Type.String({ minLength: 1, maxLength: 200 }) }),
    querystring: Type.Object({
      format: Type.Optional(Type.String({ description: "raw or car; overrides Accept" })),
      "dag-scope": Type.Optional(Type.Literal("all")),
    }),
    headers: Type.Object({ accept: Type.Optional(Type.String()) }),
    response: { 200: Bytes("Block bytes or a CAR stream"), ...nodeErrors(400, 404, 406) },
  },
  migrate: {
    body: MigrateBody,
    response: { 200: MigrateReply, ...nodeErrors(400, 404, 409, 422, 502, 503) },
  },
  health: { response: { 200: HealthOk, 503: HealthDegraded } },
  metrics: { produces: ["text/plain"], response: { 200: Type.String() } },
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
