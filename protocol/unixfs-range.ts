import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { ProtocolError } from "./errors.ts";

/**
 * One block of a UnixFS file DAG, as far as the file's bytes go: the bytes it carries itself
 * (a raw leaf's whole body, a dag-pb node's inline data) and its children, each with the number
 * of file bytes under it (the node's `blocksizes`). `size` is the file bytes under this block.
 */
export interface FileBlock {
  size: number;
  data: Uint8Array;
  links: { cid: CID; size: number }[];
}

/** A child of a file block whose bytes overlap a range: its CID, where its bytes start, how many. */
export interface FileSpan {
  cid: CID;
  start: number;
  size: number;
}

/**
 * The file view of a block of a UnixFS file DAG: a raw leaf, or a dag-pb node of type `file` or
 * `raw` with one `blocksizes` entry per link. Anything else (a directory, another codec, sizes
 * that do not pair with links) throws a ProtocolError naming why.
 */
export function fileBlock(cid: CID, bytes: Uint8Array): FileBlock {
  if (cid.code === raw.code) return { size: bytes.length, data: bytes, links: [] };
  if (cid.code !== dagPb.code)
    throw new ProtocolError(`block ${cid} has codec 0x${cid.code.toString(16)}, not raw or dag-pb`);
  const node = dagPb.decode(bytes);
  if (!node.Data) throw new ProtocolError(`block ${cid} is dag-pb without UnixFS data`);
  const unixfs = UnixFS.unmarshal(node.Data);
  if (unixfs.type !== "file" && unixfs.type !== "raw")
    throw new ProtocolError(`block ${cid} is a UnixFS ${unixfs.type}, not a file`);
  if (unixfs.blockSizes.length !== node.Links.length)
    throw new ProtocolError(
      `block ${cid} has ${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`,
    );
  const data = unixfs.data ?? new Uint8Array(0);
  const links = node.Links.map((link, i) => ({
    cid: link.Hash,
    size: safeSize(cid, unixfs.blockSizes[i] as bigint),
  }));
  return { size: links.reduce((sum, link) => sum + link.size, data.length), data, links };
}

/**
 * The children of `block` (whose bytes start at file offset `start`) holding any byte of the
 * half-open range [from, to), in link order. Children of zero bytes, and any child of an empty
 * range, are never needed. A gateway
 * answering `entity-bytes` sends exactly these, recursively, after the block; a client checking
 * the answer expects exactly these.
 */
export function spansInRange(block: FileBlock, start: number, from: number, to: number): FileSpan[] {
  const spans: FileSpan[] = [];
  if (to <= from) return spans;
  let offset = start + block.data.length;
  for (const link of block.links) {
    if (link.size > 0 && offset < to && offset + link.size > from)
      spans.push({ cid: link.cid, start: offset, size: link.size });
    offset += link.size;
  }
  return spans;
}

function safeSize(cid: CID, size: bigint): number {
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtocolError(`block ${cid} declares ${size} bytes`);
  return Number(size);
}
