import type { Hex } from "viem";

// The storage node's HTTP replies as the SDK reads them. The node declares them as TypeBox schemas
// (node/http/schemas.ts); these copies keep the SDK free of node code until a shared API module
// holds both.

/** A holder's signed attestation that it stores a blob (or its shard). */
export interface NodeAttestation {
  holder: number;
  /** Unix seconds, decimal. */
  expiry: string;
  r: Hex;
  vs: Hex;
  signature: Hex;
}

/** A node's answer to PUT /store: the blob it keeps and its attestation. */
export interface StoreReply {
  blobId: Hex;
  cid: string;
  size: number;
  commitment: Hex;
  nodeId: number;
  holder: number;
  attestation: NodeAttestation;
}

/** A node's answer to PUT /shard. */
export interface ShardReply {
  blobId: Hex;
  cid: string;
  nodeId: number;
  holder: number;
  shardRoot: Hex;
  attestation: NodeAttestation;
}

/** A node's answer to POST /migrate. */
export interface MigrateReply {
  blobId: Hex;
  to: "hot" | "cold";
  cid: string;
  size?: number;
  coldBlobId?: Hex;
  certified?: boolean;
  transaction?: Hex;
}

/** A refused request: a stable code and a short message. */
export interface NodeErrorBody {
  error: { code: string; message: string };
}
