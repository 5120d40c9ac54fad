import { createHash } from "node:crypto";
import { CarBlockIterator } from "@ipld/car/iterator";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { VerificationError } from "../errors.ts";

/**
 * The file bytes of a UnixFS DAG read from a CAR stream in depth-first order (what a Strata
 * node's trustless gateway sends), each block checked against its CID before any of its bytes
 * are yielded: a node can stop early, never lie. Ends with an error if the CAR stops short of
 * the whole file or its blocks come out of order.
 */
export async function* verifiedFileBytes(
  root: CID,
  car: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const blocks = await CarBlockIterator.fromIterable(car);
  const expected: CID[] = [root];
  let declaredSize: bigint | undefined;
  let emitted = 0n;
  for await (const { cid, bytes } of blocks) {
    const next = expected.pop();
    if (next === undefined) break;
    if (!cid.equals(next)) throw new VerificationError(`expected block ${next}, the node sent ${cid}`);
    checkHash(cid, bytes);
    if (cid.code === raw.code) {
      emitted += BigInt(bytes.length);
      yield bytes;
    } else if (cid.code === dagPb.code) {
      const node = dagPb.decode(bytes);
      if (!node.Data) throw new VerificationError(`block ${cid} is not UnixFS`);
      const unixfs = UnixFS.unmarshal(node.Data);
      if (unixfs.type !== "file" && unixfs.type !== "raw") {
        throw new VerificationError(`${root} is a UnixFS ${unixfs.type}, not a file`);
      }
      if (declaredSize === undefined) declaredSize = unixfs.fileSize();
      if (unixfs.data && unixfs.data.length > 0) {
        emitted += BigInt(unixfs.data.length);
        yield unixfs.data;
      }
      for (let i = node.Links.length - 1; i >= 0; i -= 1) expected.push((node.Links[i] as dagPb.PBLink).Hash);
    } else {
      throw new VerificationError(`block ${cid} has codec 0x${cid.code.toString(16)}, not raw or dag-pb`);
    }
    if (expected.length === 0) break;
  }
  if (expected.length > 0)
    throw new VerificationError(`the CAR of ${root} ended before block ${expected.at(-1)}`);
  if (declaredSize !== undefined && emitted !== declaredSize) {
    throw new VerificationError(`${root} declares ${declaredSize} bytes, its blocks hold ${emitted}`);
  }
}

function checkHash(cid: CID, bytes: Uint8Array): void {
  if (cid.multihash.code !== sha256.code) {
    throw new VerificationError(`block ${cid} uses hash 0x${cid.multihash.code.toString(16)}, not sha2-256`);
  }
  const digest = createHash("sha256").update(bytes).digest();
  if (!digest.equals(cid.multihash.digest))
    throw new VerificationError(`block ${cid} does not match its hash`);
}

export { CID };
