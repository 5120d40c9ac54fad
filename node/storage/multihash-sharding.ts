import { NextToLast } from "blockstore-fs/sharding";
import { base32upper } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";

/**
 * blockstore-fs's next-to-last sharding (kubo's flatfs layout), reading file names back right:
 * files are named after the block's multihash, not its CID, so listing the store (what garbage
 * collection does) yields CIDv1 raw CIDs with that multihash, which is all pins and deletes look at.
 */
export class MultihashNextToLast extends NextToLast {
  override decode(file: string): CID {
    const name = file.slice(file.lastIndexOf("/") + 1).replace(/\.data$/, "");
    return CID.createV1(raw.code, Digest.decode(base32upper.decode(name)));
  }
}
