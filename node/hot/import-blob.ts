import type { Blockstore } from "interface-blockstore";
import { importByteStream } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";
import { type Hex, toHex } from "viem";
import {
  CHUNK_SIZE,
  type GroupedCommitment,
  groupingChunker,
  hashGroup,
  leafCount,
  rootOfGroups,
  unixfsImportOptions,
} from "#protocol";
import { ContentMismatchError, PayloadTooLargeError, TruncatedBodyError } from "../errors.ts";
import { BufferPool } from "../storage/buffer-pool.ts";

/** What the chain registered: the upload must match it exactly. */
export interface ExpectedContent {
  size: number;
  cid: string;
  /** Unchecked when absent (a cold blob's copy: its registered commitment covers the shards). */
  commitment?: Hex;
}

export interface ImportedBlob {
  cid: CID;
  commitment: GroupedCommitment;
  /** Blocks this import wrote that were not in the blockstore before. */
  newBlocks: CID[];
}

/** Group roots hashed ahead of the importer, at most this many at once (on pool threads). */
const GROUPS_IN_FLIGHT = 4;

/**
 * Streams a blob into the blockstore as UnixFS while computing its commitment from the very same
 * 1 MiB chunks (each hashed on a pool thread as the importer moves on), then checks size, CID and
 * commitment against what the chain registered. The size is enforced while streaming: one byte
 * too many and it stops. If anything fails, every write is awaited and the blocks this import
 * added are deleted before the error is thrown, so nothing stays behind.
 */
export async function importBlob(options: {
  source: AsyncIterable<Uint8Array>;
  blockstore: Pick<Blockstore, "put" | "has" | "delete">;
  expected: ExpectedContent;
  maxBytes: number;
  /** Called every `flushEvery` bytes: starts writing what is buffered to disk early (not awaited). */
  onProgress?: (bytes: number) => void;
  flushEvery?: number;
  /** Where the 1 MiB chunk buffers come from and go back to (one of its own if not given). */
  buffers?: BufferPool;
  signal?: AbortSignal;
}): Promise<ImportedBlob> {
  const { source, blockstore, expected, maxBytes, signal, onProgress } = options;
  const flushEvery = options.flushEvery ?? 8 * 1024 * 1024;
  const newBlocks: CID[] = [];
  const groups: Promise<Uint8Array>[] = [];
  let received = 0;

  async function* checked(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      signal?.throwIfAborted();
      received += chunk.length;
      if (received > maxBytes) throw new PayloadTooLargeError(maxBytes);
      if (received > expected.size) {
        throw new ContentMismatchError("size", `${expected.size} bytes`, `more than ${expected.size} bytes`);
      }
      yield chunk;
    }
  }

  // 1 MiB chunk buffers go back to the pool once their block is written and their group hashed;
  // the rest (the first, which the importer keeps, and the last) when the import is over
  const buffers = options.buffers ?? new BufferPool(CHUNK_SIZE, 16);
  const held = new Map<ArrayBufferLike, Buffer>();
  const hashing = new Map<ArrayBufferLike, Promise<unknown>>();
  const acquire = () => {
    const buffer = buffers.acquire();
    held.set(buffer.buffer, buffer);
    return buffer;
  };
  const recycle = (bytes: Uint8Array) => {
    const hashed = hashing.get(bytes.buffer);
    const buffer = held.get(bytes.buffer);
    if (!hashed || !buffer) return;
    hashing.delete(bytes.buffer);
    void hashed.then(
      () => {
        // unless the import ended meanwhile and handed everything back itself
        if (held.get(buffer.buffer) !== buffer) return;
        held.delete(buffer.buffer);
        buffers.release(buffer);
      },
      () => undefined,
    );
  };
  const releaseAll = () => {
    for (const buffer of held.values()) buffers.release(buffer);
    held.clear();
  };

  const chunker = groupingChunker(async (chunk, index) => {
    if (chunk.length === 0) return;
    if (onProgress && index > 0 && (index * chunk.length) % flushEvery === 0)
      onProgress(index * chunk.length);
    groups[index] = hashGroup(chunk);
    // the importer keeps a reference to the first block (in case it is the only one): that
    // buffer is never handed back
    if (index > 0 && chunk.length === CHUNK_SIZE) hashing.set(chunk.buffer, groups[index]);
    const waitFor = groups[index - GROUPS_IN_FLIGHT];
    if (waitFor) await waitFor;
  }, acquire);

  // writes run concurrently inside the importer; on failure every one is awaited before the
  // rollback, so none lands after it
  const writes = new Set<Promise<unknown>>();
  const recording = {
    put: async (cid: CID, bytes: Uint8Array) => {
      const write = (async () => {
        if (!(await blockstore.has(cid, signal ? { signal } : {}))) newBlocks.push(cid);
        await blockstore.put(cid, bytes, signal ? { signal } : {});
      })();
      writes.add(write);
      try {
        await write;
      } finally {
        writes.delete(write);
      }
      recycle(bytes);
      return cid;
    },
  };

  try {
    const { cid } = await importByteStream(checked(), recording, {
      ...unixfsImportOptions(),
      chunker,
      // at most this many 1 MiB blocks held while they are written: memory stays flat
      blockWriteConcurrency: 8,
    });
    if (received < expected.size) throw new TruncatedBodyError(received, expected.size);
    leafCount(received);
    const groupRoots = Buffer.concat(await Promise.all(groups));
    const commitment = { root: rootOfGroups(groupRoots), size: received, groupRoots };
    if (cid.toString() !== expected.cid) throw new ContentMismatchError("cid", expected.cid, cid.toString());
    const root = toHex(commitment.root);
    if (expected.commitment !== undefined && root !== expected.commitment)
      throw new ContentMismatchError("commitment", expected.commitment, root);
    return { cid, commitment, newBlocks };
  } catch (error) {
    await Promise.allSettled(groups);
    while (writes.size > 0) await Promise.allSettled([...writes]);
    for (const cid of newBlocks) await Promise.resolve(blockstore.delete(cid)).catch(() => undefined);
    throw error;
  } finally {
    // every write and every hash has settled by now: nothing reads the buffers any more
    releaseAll();
  }
}
