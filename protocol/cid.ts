import { type BufferImporter, importByteStream } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";
import { nativeMerkle } from "./commitment/native.ts";

/** Bytes per UnixFS leaf block: one commitment group (docs/protocol.md), Helia's default. */
export const CHUNK_SIZE = 1_048_576;

/**
 * Links per interior node of the balanced DAG: the stock importers' default (kubo's and
 * `ipfs-unixfs-importer`'s), so that `ipfs add --cid-version=1 --raw-leaves
 * --chunker=size-1048576` gives a blob's CID, at every size.
 */
export const MAX_LINKS = 174;

/**
 * How Strata turns a blob into UnixFS (docs/protocol.md §2): CIDv1, raw leaves, 1 MiB chunks,
 * a balanced DAG of up to 174 links per node; a blob of one chunk is that raw leaf alone.
 */
export function unixfsImportOptions() {
  return {
    cidVersion: 1 as const,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: MAX_LINKS }),
    bufferImporter: rawLeafImporter,
  };
}

/**
 * The importer's leaf step for raw leaves (what its default does with `rawLeaves`), except that
 * each block's SHA-256 is computed on a pool thread by the addon: the JavaScript thread, which
 * also parses the upload, is spared a hash of every byte.
 */
const rawLeafImporter: BufferImporter = async function* (file, blockstore) {
  for await (const block of file.content) {
    yield async () => {
      const digest = nativeMerkle
        ? await nativeMerkle.sha256Async(block)
        : (await sha256.digest(block)).digest;
      const cid = CID.createV1(raw.code, Digest.create(sha256.code, digest));
      await blockstore.put(cid, block);
      return { cid, size: BigInt(block.length), block };
    };
  }
};

/**
 * The chunker of `unixfsImportOptions` (1 MiB pieces, the last one shorter) that also hands each
 * piece, in order, to `onChunk` before the importer hashes it: a 1 MiB chunk is exactly one
 * commitment group, so the commitment can be computed from the very same buffers. `allocate`
 * supplies each 1 MiB buffer (a caller may recycle them).
 */
export function groupingChunker(
  onChunk: (chunk: Uint8Array, index: number) => void | Promise<void>,
  allocate: () => Uint8Array = () => Buffer.allocUnsafe(CHUNK_SIZE),
) {
  return async function* chunker(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let chunk = allocate();
    let filled = 0;
    let index = 0;
    for await (const piece of source) {
      for (let offset = 0; offset < piece.length; ) {
        const take = Math.min(piece.length - offset, CHUNK_SIZE - filled);
        chunk.set(piece.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === CHUNK_SIZE) {
          await onChunk(chunk, index++);
          yield chunk;
          chunk = allocate();
          filled = 0;
        }
      }
    }
    if (filled > 0 || index === 0) {
      const last = chunk.subarray(0, filled);
      await onChunk(last, index);
      yield last;
    }
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
