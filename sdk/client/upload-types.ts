// What an upload takes and gives: shared by the upload itself, the cold plan and the actions.
import type { Hex } from "viem";
import type { TierName } from "#protocol";

export interface UploadProgress {
  stage: "hashing" | "paying" | "registering" | "uploading" | "certifying" | "done";
  /** Bytes hashed (hashing) or sent to all nodes together (uploading). */
  bytes: number;
  /** The blob's size (hashing: unknown until the end, 0) or size × nodes (uploading). */
  total: number;
}

export interface UploadOptions {
  tier?: TierName;
  /** How many nodes to pick through the indexer (hot: replicas, default 3; cold: shard holders, default 5); or `nodes` to name them. */
  replicas?: number;
  /** Cold: holders that may be lost with the blob still recoverable (default about a third of them, at least 1). */
  faults?: number;
  nodes?: number[];
  epochs?: number;
  name?: string;
  mimeType?: string;
  tags?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /**
   * Cold only: a hot holder of the same bytes encodes and sends the shards and certifies
   * (POST /migrate), instead of this client. Used by `StrataClient.migrate`.
   */
  viaNode?: { blobId: Hex; endpoint: string };
}

export interface UploadResult {
  blobId: Hex;
  cid: string;
  size: number;
  commitment: Hex;
  nodes: { nodeId: number; endpoint: string }[];
  cost: bigint;
  fee: bigint;
  transactions: { approve?: Hex; register: Hex; certify: Hex };
  /** Cold: the code's parameters and every holder's shard commitment (holder order). */
  cold?: { recovery: number; faults: number; shardSize: number; shardRoots: Hex[] };
}
