// What an upload takes and gives: shared by the upload itself, the cold plan and the actions.
import type { Hex } from "viem";
import type { TierName } from "../../protocol/index.ts";

/**
 * What can be uploaded: bytes, a `File` or `Blob` (read twice, never held whole in memory), a
 * stream (a web `ReadableStream` or an async iterable of chunks: read once and kept on the way,
 * in a temporary file in Node.js, in a Blob in a page; a chunk must not change once yielded), or,
 * in Node.js only, a file path.
 */
export type UploadSource =
  | Uint8Array
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | string;

/** A source with its CID and commitment computed, ready to be sent to any number of nodes. */
export interface PreparedSource {
  size: number;
  cid: string;
  cidBytes: Hex;
  commitment: Hex;
  /** The bytes again, from the start (each call a fresh pass). */
  open(): AsyncIterable<Uint8Array>;
  /** The bytes as a Blob, where the source is one or was kept in one (a page sends Blobs). */
  blob?: Blob;
  /** Removes what a one-shot stream was kept in. */
  dispose(): Promise<void>;
}

export interface UploadProgress {
  stage: "hashing" | "paying" | "registering" | "uploading" | "certifying" | "done";
  /** Bytes hashed (hashing) or sent to all nodes together (uploading). */
  bytes: number;
  /**
   * The blob's size while hashing (0 for a stream, whose size is known only at its end), or
   * the bytes to send to all nodes together (uploading).
   */
  total: number;
  /** Uploading: the node whose bytes just went out, with its own count and total. */
  node?: { nodeId: number; bytes: number; total: number };
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
