/** The storage node's routes (Fastify patterns) and the URLs clients build from them. */
export const NodePath = {
  store: "/store",
  shard: "/shard",
  shardPart: "/shard/:blobId",
  repair: "/shard/:blobId/repair",
  meta: "/shard/:blobId/meta",
  file: "/file/:id",
  ipfs: "/ipfs/:cid",
  migrate: "/migrate",
  stats: "/stats",
  health: "/health",
  metrics: "/metrics",
} as const;

/** The headers of the node's API besides the standard ones. */
export const NodeHeader = {
  /** PUT /shard: every holder's shard commitment, comma-separated, in holder order. */
  shardRoots: "x-strata-shard-roots",
  /** GET /file/:id: `cold` when the blob was rebuilt from its shards to answer. */
  tier: "x-strata-tier",
} as const;

const id = (value: string) => encodeURIComponent(value);

/** The paths (with query) a client requests. */
export const nodeUrl = {
  store: (blobId: string) => `/store?blobId=${id(blobId)}`,
  shard: (blobId: string) => `/shard?blobId=${id(blobId)}`,
  shardPart: (blobId: string, part: "primary" | "whole") => `/shard/${id(blobId)}?part=${part}`,
  repair: (blobId: string, lost: number) => `/shard/${id(blobId)}/repair?lost=${lost}`,
  meta: (blobId: string) => `/shard/${id(blobId)}/meta`,
  file: (cid: string) => `/file/${id(cid)}`,
  ipfs: (cid: string, format: "raw" | "car") => `/ipfs/${id(cid)}?format=${format}`,
} as const;
