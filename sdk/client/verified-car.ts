import { CarBlockIterator } from "@ipld/car/iterator";
import { equals } from "multiformats/bytes";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { fileBlock, ProtocolError, spansInRange } from "../../protocol/index.ts";
import { VerificationError } from "../errors.ts";

const IDENTITY = 0x00;

/** A byte range of a file, half-open: [offset, end); `end` undefined runs to the end of the file. */
export interface FileRange {
  offset: number;
  end?: number | undefined;
}

/**
 * The file bytes of a UnixFS DAG read from a CAR stream in depth-first order (what a Strata
 * node's trustless gateway sends, duplicates included), each block checked against its CID
 * before any of its bytes are yielded: a node can stop early, never lie.
 *
 * With `range`, only the bytes of [offset, end) are yielded, and the CAR must hold exactly the
 * blocks that range needs (`entity-bytes`): the root, then depth-first each block whose bytes
 * (by its parent's block sizes) overlap the range, each one the next the walk expects. Every
 * block's size is checked against what its parent declares, so the bytes yielded sit where the
 * DAG puts them. `onSize` hears the file's size once the root is checked.
 *
 * Ends with an error if the CAR stops short, holds a block out of place or one that is not part
 * of a UnixFS file. Blocks after the last one needed are not read.
 */
export async function* verifiedFileBytes(
  root: CID,
  car: AsyncIterable<Uint8Array>,
  options: { range?: FileRange; onSize?: (size: number) => void } = {},
): AsyncGenerator<Uint8Array> {
  const from = options.range?.offset ?? 0;
  let to = options.range?.end ?? Number.POSITIVE_INFINITY;
  const blocks = (await CarBlockIterator.fromIterable(car))[Symbol.asyncIterator]();
  const expected: { cid: CID; start: number; size: number | undefined }[] = [
    { cid: root, start: 0, size: undefined },
  ];
  for (let next = expected.pop(); next !== undefined; next = expected.pop()) {
    let bytes: Uint8Array;
    if (next.cid.multihash.code === IDENTITY) {
      bytes = next.cid.multihash.digest;
    } else {
      const received = await blocks.next();
      if (received.done) throw new VerificationError(`the CAR of ${root} ended before block ${next.cid}`);
      const { cid } = received.value;
      if (!cid.equals(next.cid))
        throw new VerificationError(`expected block ${next.cid}, the node sent ${cid}`);
      await checkHash(cid, received.value.bytes);
      bytes = received.value.bytes;
    }
    let block: ReturnType<typeof fileBlock>;
    try {
      block = fileBlock(next.cid, bytes);
    } catch (error) {
      if (error instanceof ProtocolError) throw new VerificationError(`${root}: ${error.message}`);
      throw error;
    }
    if (next.size === undefined) {
      to = Math.min(to, block.size);
      options.onSize?.(block.size);
    } else if (block.size !== next.size) {
      throw new VerificationError(
        `block ${next.cid} holds ${block.size} bytes, its parent declares ${next.size}`,
      );
    }
    const dataFrom = Math.max(from, next.start) - next.start;
    const dataTo = Math.min(to, next.start + block.data.length) - next.start;
    if (dataTo > dataFrom) yield block.data.subarray(dataFrom, dataTo);
    const spans = spansInRange(block, next.start, from, to);
    for (let i = spans.length - 1; i >= 0; i -= 1) expected.push(spans[i] as (typeof expected)[number]);
  }
}

/** Throws a VerificationError unless `bytes` hash to `cid` (SHA-256: Node's, or the page's WebCrypto). */
async function checkHash(cid: CID, bytes: Uint8Array): Promise<void> {
  if (cid.multihash.code !== sha256.code) {
    throw new VerificationError(`block ${cid} uses hash 0x${cid.multihash.code.toString(16)}, not sha2-256`);
  }
  const { digest } = await sha256.digest(bytes);
  if (!equals(digest, cid.multihash.digest))
    throw new VerificationError(`block ${cid} does not match its hash`);
}

export { CID };
