import { CarBlockIterator } from "@ipld/car/iterator";
import * as dagPb from "@ipld/dag-pb";
import type { Blockstore } from "interface-blockstore";
import toBuffer from "it-to-buffer";
import { equals } from "multiformats/bytes";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { toHex } from "viem";
import { type FileBlock, fileBlock, GroupedCommitmentBuilder, ProtocolError } from "#protocol";
import {
  ContentMismatchError,
  InvalidCarError,
  PayloadTooLargeError,
  TruncatedBodyError,
} from "../errors.ts";
import type { ExpectedContent, ImportedBlob } from "./import-blob.ts";

/** The longest CAR section (a CID and its block) taken: blocks are at most 2 MiB, as bitswap's. */
export const MAX_CAR_SECTION = 2 * 1_048_576 + 128;

/** What a CAR may carry beyond the file's bytes (headers, CIDs, interior nodes): generous. */
export function carAllowance(size: number): number {
  return size + Math.max(1_048_576, Math.ceil(size / 8));
}

/**
 * Takes in an upload sent as a CAR (what a stock IPFS client exports): one UnixFS file DAG of
 * any layout, chunking or CID version under the registered root CID. Every block is checked
 * against its CID as it arrives and written; then the DAG is walked from the root, each node's
 * declared sizes checked against its children, and the file's bytes streamed into the
 * commitment, which must match the registration, as must the size. A block the walk does not
 * reach, a block missing, a codec other than raw or dag-pb, or a hash other than SHA-256 refuses
 * the upload. On any failure the blocks this import added are deleted before the error is thrown.
 */
export async function importCar(options: {
  source: AsyncIterable<Uint8Array>;
  blockstore: Pick<Blockstore, "put" | "has" | "delete" | "get">;
  expected: ExpectedContent;
  maxBytes: number;
  signal?: AbortSignal;
}): Promise<ImportedBlob> {
  const { blockstore, expected, signal } = options;
  const limit = Math.min(options.maxBytes, carAllowance(expected.size));
  const at = signal ? { signal } : {};
  const newBlocks: CID[] = [];
  const received = new Set<string>();
  let bytes = 0;

  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of options.source) {
      signal?.throwIfAborted();
      bytes += chunk.length;
      if (bytes > limit) throw new PayloadTooLargeError(limit);
      yield chunk;
    }
  }
  const capped = capSections(counted(), MAX_CAR_SECTION);

  try {
    let blocks: CarBlockIterator;
    try {
      blocks = await CarBlockIterator.fromIterable(capped);
    } catch (error) {
      throw asCarError(error);
    }
    const roots = await blocks.getRoots();
    const root = roots[0];
    if (roots.length !== 1 || !root) throw new InvalidCarError(`it names ${roots.length} roots, not one`);
    if (root.toString() !== expected.cid)
      throw new ContentMismatchError("cid", expected.cid, root.toString());
    try {
      for await (const block of blocks) {
        const cid = CID.asCID(block.cid) ?? CID.decode(block.cid.bytes);
        await checkBlock(cid, block.bytes);
        const key = cid.toString();
        if (received.has(key)) continue;
        received.add(key);
        if (!(await blockstore.has(cid, at))) newBlocks.push(cid);
        await blockstore.put(cid, block.bytes, at);
      }
    } catch (error) {
      throw asCarError(error);
    }

    const builder = new GroupedCommitmentBuilder();
    const reached = new Set<string>();
    for await (const piece of fileBytes(root, blockstore, received, reached, signal)) {
      if (builder.size + piece.length > expected.size)
        throw new ContentMismatchError("size", `${expected.size} bytes`, `more than ${expected.size} bytes`);
      await builder.update(piece);
    }
    if (builder.size < expected.size) throw new TruncatedBodyError(builder.size, expected.size);
    const unreached = [...received].filter((key) => !reached.has(key));
    if (unreached.length > 0)
      throw new InvalidCarError(
        `${unreached.length} block(s) are not part of the file, ${unreached[0]} first`,
      );
    const commitment = await builder.digest();
    const committed = toHex(commitment.root);
    if (expected.commitment !== undefined && committed !== expected.commitment)
      throw new ContentMismatchError("commitment", expected.commitment, committed);
    return { cid: root, commitment, newBlocks };
  } catch (error) {
    for (const cid of newBlocks) await Promise.resolve(blockstore.delete(cid)).catch(() => undefined);
    throw error;
  }
}

/**
 * Passes a CARv1 stream through, reading only its framing (each section's varint length), and
 * refuses a header or section longer than `max` before its bytes are gathered: the CAR reader
 * holds a whole section in memory.
 */
export async function* capSections(
  source: AsyncIterable<Uint8Array>,
  max: number,
): AsyncGenerator<Uint8Array> {
  let skip = 0;
  let length = 0;
  let shift = 0;
  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; ) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++] as number;
      length += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (length > max)
        throw new InvalidCarError(`a section longer than ${max} bytes: blocks are at most 2 MiB`);
      if (byte & 0x80) continue;
      skip = length;
      length = 0;
      shift = 0;
    }
    yield chunk;
  }
}

/** A block's bytes must hash to its CID: SHA-256, raw or dag-pb. */
async function checkBlock(cid: CID, bytes: Uint8Array): Promise<void> {
  if (cid.code !== raw.code && cid.code !== dagPb.code)
    throw new InvalidCarError(
      `block ${cid} has codec 0x${cid.code.toString(16)}: only raw and dag-pb make a file`,
    );
  if (cid.multihash.code !== sha256.code)
    throw new InvalidCarError(
      `block ${cid} is hashed with 0x${cid.multihash.code.toString(16)}, not SHA-256`,
    );
  const digest = await sha256.digest(bytes);
  if (!equals(digest.digest, cid.multihash.digest))
    throw new InvalidCarError(`the bytes of block ${cid} do not hash to its CID`);
}

/**
 * The bytes of the UnixFS file under `cid`, in order, from blocks of the CAR only. Every block
 * must be a file block (`fileBlock`: a raw leaf, or a dag-pb file node whose `blocksizes` pair
 * with its links) whose children hold exactly the bytes it declares for them.
 */
async function* fileBytes(
  cid: CID,
  blockstore: Pick<Blockstore, "get">,
  received: Set<string>,
  reached: Set<string>,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array, number> {
  const key = cid.toString();
  if (!received.has(key)) throw new InvalidCarError(`block ${key} of the file is missing`);
  reached.add(key);
  let block: FileBlock;
  try {
    block = fileBlock(cid, await toBuffer(blockstore.get(cid, signal ? { signal } : {})));
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw new InvalidCarError(error.message);
  }
  if (block.data.length > 0) yield block.data;
  for (const [i, link] of block.links.entries()) {
    const actual = yield* fileBytes(link.cid, blockstore, received, reached, signal);
    if (actual !== link.size)
      throw new InvalidCarError(
        `block ${key} declares ${link.size} bytes under link ${i}, which holds ${actual}`,
      );
  }
  return block.size;
}

/** A parse failure of the CAR itself becomes a clear refusal; the node's own errors pass. */
function asCarError(error: unknown): unknown {
  if (
    error instanceof Error &&
    "code" in error &&
    typeof error.code === "string" &&
    error.code.startsWith("NODE_ERR")
  )
    return error;
  if (error instanceof Error && error.name === "AbortError") return error;
  return new InvalidCarError(error instanceof Error ? error.message : String(error));
}
