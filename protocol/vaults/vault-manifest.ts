import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import type { CollectionMeta } from "../collections/master.ts";
import type { Block } from "../collections/pack.ts";
import { ProtocolError } from "../errors.ts";

/** A vault file is kept and shipped as raw blocks of this size (the last one shorter). */
export const VAULT_CHUNK_SIZE = 1 << 20;

/** One file of a vault: path, size, media type and its chunks' CIDs (raw, SHA-256) in order. */
export interface VaultFile {
  path: string;
  size: number;
  type: string;
  chunks: CID[];
}

/**
 * What a snapshot of a vault holds: its files in path order, its collections' roots (the
 * collections engine's metadata), the parent snapshot's manifest and the sequence. Nothing of
 * the node or the time goes in: the same content at the same sequence after the same parent is
 * the same manifest, on any node.
 */
export interface VaultManifest {
  v: 1;
  sequence: number;
  parent: CID | null;
  files: VaultFile[];
  collections: Record<string, CollectionMeta>;
}

/** Thrown for bytes that are not a vault manifest. */
export class InvalidManifestError extends ProtocolError {
  override name = "InvalidManifestError";
  readonly code = "STRATA_ERR_VAULT_MANIFEST";
}

/** The raw block of a file chunk. */
export async function chunkBlock(bytes: Uint8Array): Promise<Block> {
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes };
}

/** The manifest's block (DAG-CBOR, SHA-256): files as `[path, size, type, chunks]` tuples. */
export async function manifestBlock(manifest: VaultManifest): Promise<Block> {
  const files = [...manifest.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const bytes = dagCbor.encode({
    v: 1,
    sequence: manifest.sequence,
    parent: manifest.parent,
    files: files.map((file) => [file.path, file.size, file.type, file.chunks]),
    collections: manifest.collections,
  });
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes };
}

export function decodeManifest(bytes: Uint8Array): VaultManifest {
  let value: Record<string, unknown>;
  try {
    value = dagCbor.decode(bytes) as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidManifestError("a vault manifest is DAG-CBOR", { cause });
  }
  const { v, sequence, parent, files, collections } = value ?? {};
  if (
    v !== 1 ||
    !Number.isSafeInteger(sequence) ||
    !(parent === null || parent instanceof CID || CID.asCID(parent)) ||
    !Array.isArray(files) ||
    typeof collections !== "object" ||
    collections === null
  ) {
    throw new InvalidManifestError("not a Strata vault manifest (v1)");
  }
  return {
    v: 1,
    sequence: sequence as number,
    parent: (parent as CID | null) ?? null,
    files: files.map((entry) => {
      const [path, size, type, chunks] = entry as [string, number, string, CID[]];
      if (typeof path !== "string" || !Number.isSafeInteger(size) || !Array.isArray(chunks)) {
        throw new InvalidManifestError("a manifest's file is [path, size, type, chunks]");
      }
      return { path, size, type: String(type), chunks };
    }),
    collections: collections as Record<string, CollectionMeta>,
  };
}

/** The bytes a manifest's files take (what a restore needs room for, before its collections). */
export function manifestFileBytes(manifest: Pick<VaultManifest, "files">): number {
  return manifest.files.reduce((sum, file) => sum + file.size, 0);
}
