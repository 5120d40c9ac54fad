import { type Static, Type } from "@sinclair/typebox";
import { BlobIdPattern, Nullable } from "../error-envelope.ts";

const Amount = Type.String({ pattern: "^[0-9]+$", description: "Token amount in base units, decimal" });

export const Provenance = Type.Object({
  number: Type.Integer(),
  hash: Type.String(),
  tx: Type.String(),
  logIndex: Type.Integer(),
});

export const Health = Nullable(
  Type.Object({
    available: Type.Boolean(),
    latencyMs: Nullable(Type.Number()),
    availability: Type.Number({ description: "Share of health checks answered" }),
    checks: Type.Integer(),
    lastCheckedAt: Nullable(Type.Integer()),
    lastOkAt: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    reads: Nullable(Type.Integer({ description: "Reads the node reports having served" })),
    storedBytes: Nullable(Type.Integer()),
  }),
);

export const NodeStatus = Type.Union([
  Type.Literal("active"),
  Type.Literal("unbonded"),
  Type.Literal("unbonding"),
  Type.Literal("jailed"),
  Type.Literal("dropped"),
  Type.Literal("withdrawn"),
]);

export const BlobStatus = Type.Union([
  Type.Literal("registered"),
  Type.Literal("certified"),
  Type.Literal("deleted"),
  Type.Literal("expired"),
]);

export const Node = Type.Object({
  nodeId: Type.Integer(),
  status: NodeStatus,
  operator: Type.String(),
  signer: Type.String(),
  endpoint: Type.String(),
  peerId: Type.String(),
  multiaddrs: Type.Array(Type.String()),
  tiers: Type.Integer({ description: "Tier bits: 1 hot, 2 cold" }),
  capacity: Type.String(),
  pricePerByteEpoch: Type.String(),
  stake: Amount,
  unbondingAt: Nullable(Type.Integer()),
  jailed: Type.Boolean(),
  droppedPeriod: Nullable(Type.Integer()),
  proofs: Type.Integer(),
  lastProofPeriod: Nullable(Type.Integer()),
  lastProofBlock: Nullable(Type.Integer()),
  missesInRow: Type.Integer(),
  missedProofs: Type.Integer(),
  slashes: Type.Integer(),
  slashed: Amount,
  claimed: Amount,
  registeredBlock: Type.Integer(),
  health: Health,
});

const Fact = Type.Object({ block: Provenance }, { additionalProperties: true });

export const NodeDetail = Type.Intersect([
  Node,
  Type.Object({
    recentProofs: Type.Array(Fact),
    recentMisses: Type.Array(Fact),
    slashHistory: Type.Array(Fact),
    recentPayments: Type.Array(Fact),
    blobs: Type.Integer({ description: "Blobs the node holds (not dropped or pruned)" }),
  }),
]);

export const Blob = Type.Object({
  blobId: Type.String(),
  owner: Type.String(),
  cid: Type.String(),
  commitment: Type.String(),
  size: Type.Integer(),
  tier: Type.String(),
  shardSize: Type.Integer(),
  recovery: Type.Integer(),
  epochs: Type.Integer(),
  name: Type.String(),
  mimeType: Type.String(),
  tags: Type.Array(Type.String()),
  status: BlobStatus,
  chainStatus: Type.String({
    description: "As the market records it: registered, certified, deleted, reclaimed, settled",
  }),
  escrow: Amount,
  fee: Amount,
  paid: Amount,
  refunded: Amount,
  certifyDeadline: Type.Integer(),
  attested: Type.Integer(),
  liveHolders: Type.Integer({
    description:
      "Holders whose place is attested and not dropped (below targetHolders: the blob is degraded)",
  }),
  targetHolders: Type.Integer({ description: "Holder places the blob was registered with" }),
  startPeriod: Nullable(Type.Integer()),
  endPeriod: Nullable(Type.Integer()),
  registeredBlock: Type.Integer(),
  registeredTx: Type.String(),
});

export const BlobDetail = Type.Intersect([
  Blob,
  Type.Object({
    holders: Type.Array(
      Type.Object({
        holder: Type.Integer(),
        nodeId: Type.Integer(),
        endpoint: Nullable(Type.String()),
        enrolled: Type.Boolean(),
        dropped: Type.Boolean(),
        pruned: Type.Boolean(),
      }),
    ),
    certificates: Type.Array(Fact),
    payments: Type.Array(Fact),
  }),
]);

export const RouteReply = Type.Object({
  cid: Type.String(),
  blobs: Type.Array(Type.String()),
  nodes: Type.Array(
    Type.Object({
      nodeId: Type.Integer(),
      status: NodeStatus,
      endpoint: Type.String(),
      peerId: Type.String(),
      multiaddrs: Type.Array(Type.String()),
      blobId: Type.String(),
      holder: Type.Integer(),
      tier: Type.String(),
      certified: Type.Boolean(),
      lastProofPeriod: Nullable(Type.Integer()),
      health: Health,
    }),
  ),
});

/** Delegated routing v1 (specs.ipfs.tech/routing/http-routing-v1): who provides a CID. */
export const ProvidersReply = Type.Object({
  Providers: Type.Array(
    Type.Object({
      Schema: Type.Literal("peer"),
      ID: Type.String({ description: "The node's libp2p peer id" }),
      Addrs: Type.Array(Type.String(), {
        description: "libp2p multiaddrs, and the HTTP gateway's as /…/http",
      }),
      Protocols: Type.Array(Type.String()),
    }),
  ),
});

/** A page size: the server fills in its default, 20. */
export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });

export const BlobsQuery = Type.Object(
  {
    owner: Type.Optional(Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" })),
    node: Type.Optional(Type.Integer({ minimum: 1, description: "Blobs this node holds" })),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    mimeType: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    tier: Type.Optional(Type.Union([Type.Literal("hot"), Type.Literal("cold")])),
    status: Type.Optional(BlobStatus),
    limit: Limit,
    after: Type.Optional(
      Type.String({ pattern: BlobIdPattern, description: "The `next` of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

export const BlobsPage = Type.Object({
  blobs: Type.Array(Blob),
  next: Type.Union([Type.String(), Type.Null()]),
});

export const SearchReply = Type.Object({
  results: Type.Array(Type.Intersect([Blob, Type.Object({ rank: Type.Number() })])),
});

export const IndexerStats = Type.Object({
  chainId: Type.Integer(),
  headBlock: Type.Integer(),
  indexedBlock: Type.Integer(),
  indexedTimestamp: Type.Integer(),
  lag: Type.Integer({ description: "Blocks between the head and the last block indexed" }),
  confirmations: Type.Integer(),
  period: Type.Integer(),
  eventsIndexed: Type.Integer({ description: "Events applied since this process started" }),
  reorgs: Type.Integer(),
  rpcErrors: Type.Integer(),
  uptimeSeconds: Type.Integer(),
  rows: Type.Record(Type.String(), Type.Integer()),
});

export const IndexerHealthOk = Type.Object({
  status: Type.Literal("ok"),
  indexedBlock: Type.Integer(),
  lag: Type.Integer(),
});

export const IndexerHealthStopped = Type.Object({
  status: Type.Literal("stopped"),
  indexedBlock: Type.Integer(),
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export type IndexedNodeStatus = Static<typeof NodeStatus>;
export type IndexedBlobStatus = Static<typeof BlobStatus>;
export type IndexedHealth = Static<typeof Health>;
export type IndexedNode = Static<typeof Node>;
export type IndexedNodeDetail = Static<typeof NodeDetail>;
export type IndexedBlob = Static<typeof Blob>;
export type IndexedBlobDetail = Static<typeof BlobDetail>;
export type Route = Static<typeof RouteReply>;
export type RoutedNode = Route["nodes"][number];
/** GET /blobs filters, as a client passes them (the page size optional). */
export type BlobQuery = Omit<Static<typeof BlobsQuery>, "limit"> & { limit?: number };
export type BlobsPage = Static<typeof BlobsPage>;
export type SearchReply = Static<typeof SearchReply>;
export type IndexerStats = Static<typeof IndexerStats>;
export type IndexerHealthOk = Static<typeof IndexerHealthOk>;
