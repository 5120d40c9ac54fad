import { importByteStream } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";

/** Bytes per UnixFS leaf block: one commitment group (docs/protocol.md), Helia's default. */
export const CHUNK_SIZE = 1_048_576;

/**
 * How Strata turns a blob into UnixFS (CIDv1, raw leaves, 1 MiB chunks, balanced DAG of up to
 * 1024 links per node): the settings of Helia's `unixfs.addByteStream`, so any IPFS client adding
 * the same bytes that way gets the same CID.
 */
export function unixfsImportOptions() {
  return {
    cidVersion: 1 as const,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: 1024 }),
  };
}

/** The CID of the bytes `source` yields, as a Strata node computes it; no block is kept. */
export async function cidOfStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): Promise<CID> {
  const discard = { put: async (cid: CID) => cid };
  const { cid } = await importByteStream(source, discard, { ...unixfsImportOptions(), ...options });
  return cid;
}
