import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { CorruptBlockError } from "./collection-errors.ts";
import type { Block } from "./pack.ts";

/** What the master metadata says of one collection. */
export interface CollectionMeta {
  /** Root of the map from key (UTF-8 of `_id`) to document CID; absent when empty. */
  root: CID | null;
  count: number;
  /** Field path to the root of its index (value bytes ‖ key → key); null when nothing is indexed. */
  indexes: Record<string, CID | null>;
}

/**
 * The master metadata of a database, the root of each commit's pack: its collections, and the
 * packs of earlier commits (newest first), where the blocks it did not rewrite are.
 */
export interface Master {
  v: 1;
  collections: Record<string, CollectionMeta>;
  packs: CID[];
}

export const emptyMaster = (): Master => ({ v: 1, collections: {}, packs: [] });

export async function masterBlock(master: Master): Promise<Block> {
  const bytes = dagCbor.encode(master);
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes };
}

export function decodeMaster(bytes: Uint8Array): Master {
  const value = dagCbor.decode(bytes) as Partial<Master>;
  if (value?.v !== 1 || typeof value.collections !== "object" || !Array.isArray(value.packs)) {
    throw new CorruptBlockError("the pack's root is not a Strata database master (v1)");
  }
  return value as Master;
}
