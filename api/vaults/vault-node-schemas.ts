import { type Static, Type } from "@sinclair/typebox";
import { BinaryReply, Nullable, rawBody } from "../error-envelope.ts";
import { nodeErrors } from "../node/node-error-codes.ts";
import { VAULT_AUTH_HEADER } from "./vault-auth-header.ts";

/** The storage node's vault routes (Fastify patterns). */
export const VaultNodePath = {
  vault: "/vaults/:id",
  file: "/vaults/:id/files/*",
  files: "/vaults/:id/files",
  db: "/vaults/:id/db/:collection/:op",
  collections: "/vaults/:id/db",
  keys: "/vaults/:id/keys",
  key: "/vaults/:id/keys/:address",
  freeze: "/vaults/:id/freeze",
  manifest: "/vaults/:id/manifest",
  snapshot: "/vaults/:id/snapshot",
  restore: "/vaults/:id/restore",
  migrate: "/vaults/:id/migrate",
  release: "/vaults/:id/release",
  job: "/vault-jobs/:job",
  jobEvents: "/vault-jobs/:job/events",
  cancel: "/vault-jobs/:job/cancel",
} as const;

export { VAULT_AUTH_HEADER };

const VaultId = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Address = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" });
const Auth = Type.Object({ [VAULT_AUTH_HEADER]: Type.String({ minLength: 1 }) });
const Ok = (schema: Parameters<typeof Type.Object>[0]) => Type.Object(schema);

/** How a node holds a vault: live (its home), frozen for a migration, moved away (read-only), or restored and waiting for the chain to make it home. */
export const VaultMode = Type.Union([
  Type.Literal("live"),
  Type.Literal("frozen"),
  Type.Literal("moved"),
  Type.Literal("staged"),
]);

export const VaultFileInfo = Type.Object({
  path: Type.String(),
  size: Type.Integer(),
  type: Type.String(),
  modified: Type.Integer({ description: "Unix milliseconds of the last write" }),
  chunks: Type.Array(Type.String(), { description: "The CIDs of its 1 MiB raw blocks" }),
});

export const VaultStatus = Type.Object({
  vaultId: Type.Integer(),
  owner: Type.String(),
  home: Type.Integer(),
  mode: VaultMode,
  quota: Type.Integer(),
  used: Type.Integer({ description: "Bytes of files and documents held" }),
  files: Type.Integer(),
  collections: Type.Array(Type.String()),
  sequence: Type.Integer({ description: "The last snapshot this node took or restored (0: none)" }),
  manifest: Nullable(Type.String()),
});

export const VaultJobKind = Type.Union([
  Type.Literal("snapshot"),
  Type.Literal("restore"),
  Type.Literal("migrate"),
]);

/** A backup, restore or migration: persisted, resumable after a crash, cancellable. */
export const VaultJob = Type.Object({
  id: Type.String(),
  vaultId: Type.Integer(),
  kind: VaultJobKind,
  state: Type.String({
    description:
      "queued, then snapshot: building, packing, uploading, certifying, committing; restore: fetching, applying, signing; migrate: freezing, snapshotting, restoring, awaiting-move, releasing; ends done, failed or cancelled",
  }),
  percent: Type.Number(),
  bytes: Type.Integer(),
  total: Type.Integer(),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  result: Nullable(Type.Record(Type.String(), Type.Unknown())),
  created: Type.Integer(),
  updated: Type.Integer(),
});

export const VaultSnapshotRequest = Type.Object(
  {
    tier: Type.Optional(
      Type.Union([Type.Literal("hot"), Type.Literal("cold")], {
        description:
          "hot: whole copies on `replicas` nodes (default 2); cold: erasure-coded shards on `replicas` nodes (3 at least)",
      }),
    ),
    replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
  },
  { additionalProperties: false },
);

export const VaultRestoreRequest = Type.Object(
  {
    sequence: Type.Integer({ minimum: 1 }),
    manifest: Type.String({ description: "The snapshot's manifest CID" }),
    blobs: Type.Array(Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" }), {
      description: "The certified blobs of this snapshot and its ancestors",
      maxItems: 4096,
    }),
  },
  { additionalProperties: false },
);

export const VaultMigrateRequest = Type.Object(
  { to: Type.Integer({ minimum: 1 }), replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })) },
  { additionalProperties: false },
);

export const VaultKeyRequest = Type.Object(
  {
    address: Address,
    scopes: Type.Array(
      Type.Union([
        Type.Literal("files:read"),
        Type.Literal("files:write"),
        Type.Literal("db:read"),
        Type.Literal("db:write"),
      ]),
      { minItems: 1, uniqueItems: true },
    ),
    expires: Type.Integer({ minimum: 1, description: "Unix seconds" }),
  },
  { additionalProperties: false },
);

export const VaultDbRequest = Type.Object(
  {
    docs: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 10_000 })),
    filter: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    update: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    sort: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Literal(1), Type.Literal(-1)]))),
    skip: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 0 })),
    projection: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Integer(), Type.Boolean()]))),
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);

export const VaultDbOpName = Type.Union([
  Type.Literal("insert"),
  Type.Literal("find"),
  Type.Literal("update"),
  Type.Literal("delete"),
  Type.Literal("count"),
  Type.Literal("index"),
  Type.Literal("drop-index"),
]);

const JobParam = Type.Object({ job: Type.String({ pattern: "^[0-9a-f]{32}$" }) });

type VaultError = Parameters<typeof nodeErrors>[number];

/** What every signed vault request can be refused with: its signature, its signer's rights, the vault. */
const SIGNED: VaultError[] = [
  "NODE_ERR_VALIDATION",
  "NODE_ERR_INVALID_SIGNATURE",
  "NODE_ERR_REQUEST_EXPIRED",
  "NODE_ERR_REPLAYED",
  "NODE_ERR_VAULT_FORBIDDEN",
  "NODE_ERR_VAULT_UNKNOWN",
  "NODE_ERR_CHAIN_UNAVAILABLE",
];
/** A JSON body refused before the route: malformed, of another type, too large. */
const JSON_BODY: VaultError[] = ["NODE_ERR_BAD_REQUEST", "NODE_ERR_TOO_LARGE"];
/** A write: only at the vault's home, live, within its quota. */
const WRITE: VaultError[] = ["NODE_ERR_VAULT_NOT_HOME", "NODE_ERR_VAULT_FROZEN", "NODE_ERR_VAULT_QUOTA"];
const signed = (...more: VaultError[]) => nodeErrors(...SIGNED, ...more);
const FilePath = Type.Object({ id: Type.Integer({ minimum: 1 }), "*": Type.String({ minLength: 1 }) });

export const VaultNodeSchema = {
  vault: { params: VaultId, headers: Auth, response: { 200: VaultStatus, ...signed() } },
  putFile: {
    params: FilePath,
    headers: Auth,
    ...rawBody("The file's bytes (its Content-Type is kept as the file's type); Content-Length is required", [
      "*/*",
    ]),
    response: {
      200: VaultFileInfo,
      ...signed(
        ...WRITE,
        "NODE_ERR_INVALID_ID",
        "NODE_ERR_LENGTH_REQUIRED",
        "NODE_ERR_TRUNCATED",
        "NODE_ERR_UPLOAD_STALLED",
      ),
    },
  },
  getFile: {
    params: FilePath,
    headers: Auth,
    querystring: Type.Object({ stat: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    response: {
      200: BinaryReply(
        "The file (Content-Type: its type), or its entry as JSON with ?stat=true",
        ["application/octet-stream"],
        VaultFileInfo,
      ),
      206: BinaryReply("A range of the file", ["application/octet-stream"]),
      ...signed("NODE_ERR_NOT_FOUND", ["NODE_ERR_RANGE", 416]),
    },
  },
  deleteFile: {
    params: FilePath,
    headers: Auth,
    response: {
      200: Ok({ deleted: Type.Boolean() }),
      ...signed("NODE_ERR_VAULT_NOT_HOME", "NODE_ERR_VAULT_FROZEN", "NODE_ERR_INVALID_ID"),
    },
  },
  listFiles: {
    params: VaultId,
    headers: Auth,
    querystring: Type.Object(
      {
        prefix: Type.Optional(Type.String()),
        after: Type.Optional(Type.String()),
        limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
      },
      { additionalProperties: false },
    ),
    response: {
      200: Ok({ files: Type.Array(VaultFileInfo), next: Nullable(Type.String()) }),
      ...signed(),
    },
  },
  db: {
    params: Type.Object({
      id: Type.Integer({ minimum: 1 }),
      collection: Type.String({ pattern: "^[\\w.-]{1,64}$" }),
      op: VaultDbOpName,
    }),
    headers: Auth,
    body: VaultDbRequest,
    response: {
      200: Type.Record(Type.String(), Type.Unknown()),
      ...signed(...JSON_BODY, ...WRITE, "NODE_ERR_DB_REFUSED", "NODE_ERR_NOT_FOUND"),
    },
  },
  collections: {
    params: VaultId,
    headers: Auth,
    response: {
      200: Ok({
        collections: Type.Array(
          Ok({ name: Type.String(), count: Type.Integer(), indexes: Type.Array(Type.String()) }),
        ),
      }),
      ...signed("NODE_ERR_NOT_FOUND"),
    },
  },
  addKey: {
    params: VaultId,
    headers: Auth,
    body: VaultKeyRequest,
    response: { 200: VaultKeyRequest, ...signed(...JSON_BODY) },
  },
  revokeKey: {
    params: Type.Object({ id: Type.Integer({ minimum: 1 }), address: Address }),
    headers: Auth,
    response: { 200: Ok({ revoked: Type.Boolean() }), ...signed() },
  },
  freeze: {
    params: VaultId,
    headers: Auth,
    body: Type.Object({ frozen: Type.Boolean() }, { additionalProperties: false }),
    response: {
      200: VaultStatus,
      ...signed(...JSON_BODY, "NODE_ERR_VAULT_NOT_HOME", "NODE_ERR_JOB_RUNNING"),
    },
  },
  manifest: {
    params: VaultId,
    headers: Auth,
    response: {
      200: Ok({
        manifest: Type.String(),
        sequence: Type.Integer(),
        bytes: Type.Integer(),
        parent: Nullable(Type.String()),
      }),
      ...signed("NODE_ERR_NOT_FOUND"),
    },
  },
  snapshot: {
    params: VaultId,
    headers: Auth,
    body: VaultSnapshotRequest,
    response: { 202: VaultJob, ...signed(...JSON_BODY, "NODE_ERR_VAULT_NOT_HOME", "NODE_ERR_JOB_RUNNING") },
  },
  restore: {
    params: VaultId,
    headers: Auth,
    body: VaultRestoreRequest,
    response: {
      202: VaultJob,
      ...signed(
        ...JSON_BODY,
        "NODE_ERR_INVALID_ID",
        "NODE_ERR_SNAPSHOT_NOT_COMMITTED",
        "NODE_ERR_NOT_FOUND",
        "NODE_ERR_BLOCK_CORRUPT",
        "NODE_ERR_SHARDS_UNAVAILABLE",
        "NODE_ERR_VAULT_QUOTA",
        "NODE_ERR_STORAGE_FULL",
        "NODE_ERR_JOB_RUNNING",
      ),
    },
  },
  migrate: {
    params: VaultId,
    headers: Auth,
    body: VaultMigrateRequest,
    response: {
      202: VaultJob,
      ...signed(
        ...JSON_BODY,
        "NODE_ERR_VAULT_NOT_HOME",
        "NODE_ERR_VAULT_FROZEN",
        "NODE_ERR_VAULT_IS_HOME",
        "NODE_ERR_JOB_RUNNING",
      ),
    },
  },
  release: {
    params: VaultId,
    headers: Auth,
    response: { 200: Ok({ released: Type.Boolean() }), ...signed("NODE_ERR_VAULT_IS_HOME") },
  },
  job: {
    params: JobParam,
    response: { 200: VaultJob, ...nodeErrors("NODE_ERR_VALIDATION", "NODE_ERR_NOT_FOUND") },
  },
  jobEvents: {
    params: JobParam,
    response: {
      200: Type.Unsafe<unknown>({
        description:
          "Server-sent events: a `job` event with the job (JSON) at least once a second until it ends",
        content: { "text/event-stream": { schema: { type: "string" } } },
      }),
      ...nodeErrors("NODE_ERR_VALIDATION", "NODE_ERR_NOT_FOUND"),
    },
  },
  cancel: {
    params: JobParam,
    response: {
      200: VaultJob,
      ...nodeErrors("NODE_ERR_VALIDATION", "NODE_ERR_NOT_FOUND", "NODE_ERR_JOB_FINISHED"),
    },
  },
};

export type VaultStatusReply = Static<typeof VaultStatus>;
export type VaultFileReply = Static<typeof VaultFileInfo>;
export type VaultJobReply = Static<typeof VaultJob>;
export type VaultKeyGrant = Static<typeof VaultKeyRequest>;
export type VaultDbBody = Static<typeof VaultDbRequest>;
export type VaultDbOp = Static<typeof VaultDbOpName>;
export type VaultRestoreBody = Static<typeof VaultRestoreRequest>;
export type VaultSnapshotBody = Static<typeof VaultSnapshotRequest>;
export type VaultScope = VaultKeyGrant["scopes"][number];
/** A job's end states. */
export const FINAL_JOB_STATES = ["done", "failed", "cancelled"] as const;
