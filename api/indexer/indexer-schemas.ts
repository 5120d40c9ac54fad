import { type Static, Type } from "@sinclair/typebox";
import { BlobIdPattern, Nullable } from "../error-envelope.ts";
import { INDEXER_STOP_CODES } from "./indexer-error-codes.ts";

/** A token amount in base units, as decimal text (amounts exceed 64 bits). */
const amount = (description = "Token amount in base units, decimal") =>
  Type.String({ pattern: "^[0-9]+$", description });
const Amount = amount();

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

/**
 * A blob's status for readers: the market's status, aged by the chain's clock. `expired` is a
 * term that ended (or a certification deadline that passed) with nothing settled or reclaimed yet.
 */
export const BlobStatus = Type.Union(
  [
    Type.Literal("registered"),
    Type.Literal("certified"),
    Type.Literal("deleted"),
    Type.Literal("expired"),
    Type.Literal("reclaimed"),
    Type.Literal("settled"),
  ],
  {
    description:
      "registered (awaiting certification), certified (live), deleted (ended early by its owner, not settled yet), expired (its term ended, or its certification deadline passed, and it is not settled or reclaimed yet), reclaimed (uncertified, refunded), settled (its pay released and the rest refunded: a deleted blob becomes settled too)",
  },
);

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
  slashes: Type.Integer({ description: "Times slashed (one per missed-proof report)" }),
  slashed: amount("Stake slashed in all"),
  claimed: Amount,
  registeredBlock: Type.Integer(),
  health: Health,
});

const Fact = Type.Object({ block: Provenance }, { additionalProperties: true });

/** Tokens an event moved: into escrow, an extension, a refund, a node's claim, fees, stake, a withdrawal. */
export const Payment = Type.Object({
  kind: Type.Union([
    Type.Literal("escrow"),
    Type.Literal("extension"),
    Type.Literal("refund"),
    Type.Literal("claim"),
    Type.Literal("fees"),
    Type.Literal("stake"),
    Type.Literal("withdrawal"),
  ]),
  blobId: Nullable(Type.String()),
  nodeId: Nullable(Type.Integer()),
  account: Nullable(Type.String({ description: "Who paid, or was paid (none for a refund: the owner)" })),
  amount: Amount,
  block: Provenance,
});

/** One slash of a node: one missed-proof report, its stake split between the reporter and the treasury. */
export const Slash = Type.Object({
  nodeId: Type.Integer(),
  amount: amount("Stake taken, every share together"),
  remaining: amount("Stake left after it"),
  shares: Type.Array(Type.Object({ recipient: Type.String(), amount: Amount }), {
    description: "Who received the stake taken (NodeSlashed events of the transaction, in log order)",
  }),
  block: Provenance,
});

export const NodeDetail = Type.Intersect([
  Node,
  Type.Object({
    recentProofs: Type.Array(Fact),
    recentMisses: Type.Array(Fact),
    slashHistory: Type.Array(Slash, { description: "Every slash, oldest first" }),
    recentPayments: Type.Array(Payment),
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
  deleted: Type.Boolean({
    description: "Its owner deleted it before its term ended (still true once it is settled)",
  }),
  escrow: amount(
    "The storage price of every epoch paid for, at registration and by extensions, in base units (the market's getBlob().escrow is this less what has left the escrow: refunds, nodes' pay)",
  ),
  fee: amount("The protocol fee on `escrow`"),
  paid: amount("Every token paid in for the blob: escrow and fee at registration, and every extension"),
  refunded: amount("Every token refunded: delete, reclaim, settle"),
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
    payments: Type.Array(Payment),
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

/** GET /periods: the last periods up to `before` (the current period by default), at most 1,000. */
export const PeriodsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 60 }),
    before: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "Periods before this one (default: up to the current period)",
      }),
    ),
  },
  { additionalProperties: false },
);

/** What happened in one proving period: proofs, misses and slashes, and what was stored. */
export const PeriodActivity = Type.Object({
  period: Type.Integer(),
  proofs: Type.Integer({ description: "Proofs submitted for the period" }),
  misses: Type.Integer({ description: "Missed proofs reported for the period" }),
  slashes: Type.Integer({ description: "Slashes for the period's misses (one per report)" }),
  slashed: amount("Stake slashed for the period's misses"),
  blobs: Type.Integer({
    description:
      "Certified blobs held in the period: from the period of their certification (startPeriod - 1) to the end of their term",
  }),
  storedBytes: Type.Integer({ description: "Their bytes (each blob once, whatever its replicas)" }),
  nodes: Type.Array(
    Type.Object({
      nodeId: Type.Integer(),
      proofs: Type.Integer(),
      misses: Type.Integer(),
      slashes: Type.Integer(),
    }),
    { description: "Per node, those with a proof, a miss or a slash in the period" },
  ),
});

export const PeriodsReply = Type.Object({
  current: Type.Integer({ description: "The chain's current period, as indexed" }),
  periodSeconds: Type.Integer(),
  genesis: Type.Integer({ description: "Unix time period 0 starts" }),
  periods: Type.Array(PeriodActivity, { description: "Oldest first" }),
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

export const IndexerHealthStopped = Type.Object(
  {
    status: Type.Literal("stopped"),
    indexedBlock: Type.Integer(),
    error: Type.Object({
      code: Type.Unsafe<(typeof INDEXER_STOP_CODES)[number]>({
        type: "string",
        enum: [...INDEXER_STOP_CODES],
      }),
      message: Type.String(),
    }),
  },
  {
    description:
      "Stopped following the chain: INDEXER_ERR_DEEP_REORG (a reorg deeper than the blocks kept), INDEXER_ERR_STOPPED (another cause, logged)",
  },
);

export type IndexedNodeStatus = Static<typeof NodeStatus>;
export type IndexedBlobStatus = Static<typeof BlobStatus>;
export type IndexedHealth = Static<typeof Health>;
export type IndexedNode = Static<typeof Node>;
export type IndexedNodeDetail = Static<typeof NodeDetail>;
export type IndexedSlash = Static<typeof Slash>;
export type IndexedPayment = Static<typeof Payment>;
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
export type PeriodActivity = Static<typeof PeriodActivity>;
export type PeriodsReply = Static<typeof PeriodsReply>;
/** GET /periods options, as a client passes them. */
export type PeriodsFilter = Partial<Static<typeof PeriodsQuery>>;
