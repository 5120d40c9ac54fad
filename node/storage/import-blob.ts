import type { Blockstore } from "interface-blockstore";
import { importByteStream } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";
import { type Hex, toHex } from "viem";
import { type GroupedCommitment, GroupedCommitmentBuilder, unixfsImportOptions } from "#protocol";
import { ContentMismatchError, PayloadTooLargeError, TruncatedBodyError } from "../errors.ts";

/** What the chain registered: the upload must match it exactly. */
export interface ExpectedContent {
  size: number;
  cid: string;
  commitment: Hex;
}

export interface ImportedBlob {
  cid: CID;
  commitment: GroupedCommitment;
  /** Blocks this import wrote that were not in the blockstore before. */
  newBlocks: CID[];
}

/**
 * Streams a blob into the blockstore as UnixFS while computing its commitment beside it (on pool
 * threads), then checks size, CID and commitment against what the chain registered. The size is
 * enforced while streaming: one byte too many and it stops. If anything fails, the blocks this
 * import added are deleted before the error is thrown, so nothing stays behind.
 */
export async function importBlob(options: {
  source: AsyncIterable<Uint8Array>;
  blockstore: Pick<Blockstore, "put" | "has" | "delete">;
  expected: ExpectedContent;
  maxBytes: number;
  signal?: AbortSignal;
}): Promise<ImportedBlob> {
  const { source, blockstore, expected, maxBytes, signal } = options;
  const newBlocks: CID[] = [];
  const commitment = new GroupedCommitmentBuilder();
  let received = 0;

  async function* checked(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      signal?.throwIfAborted();
      received += chunk.length;
      if (received > maxBytes) throw new PayloadTooLargeError(maxBytes);
      if (received > expected.size) {
        throw new ContentMismatchError("size", `${expected.size} bytes`, `more than ${expected.size} bytes`);
      }
      await commitment.update(chunk);
      yield chunk;
    }
  }

  // writes run concurrently inside the importer; on failure every one is awaited before the
  // rollback, so none lands after it
  const writes = new Set<Promise<unknown>>();
  const recording = {
    put: async (cid: CID, bytes: Uint8Array) => {
      const write = (async () => {
        if (!(await blockstore.has(cid, { signal }))) newBlocks.push(cid);
        await blockstore.put(cid, bytes, { signal });
      })();
      writes.add(write);
      try {
        await write;
      } finally {
        writes.delete(write);
      }
      return cid;
    },
  };

  try {
    const { cid } = await importByteStream(checked(), recording, unixfsImportOptions());
    if (received < expected.size) throw new TruncatedBodyError(received, expected.size);
    const digest = await commitment.digest();
    if (cid.toString() !== expected.cid) throw new ContentMismatchError("cid", expected.cid, cid.toString());
    const root = toHex(digest.root);
    if (root !== expected.commitment) throw new ContentMismatchError("commitment", expected.commitment, root);
    return { cid, commitment: digest, newBlocks };
  } catch (error) {
    while (writes.size > 0) await Promise.allSettled([...writes]);
    for (const cid of newBlocks) await Promise.resolve(blockstore.delete(cid)).catch(() => undefined);
    throw error;
  }
}
