import { CarWriter } from "@ipld/car/writer";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { concat } from "../commitment/merkle-tree.ts";
import { CorruptBlockError } from "./collection-errors.ts";
import { latin1 } from "./latin1.ts";

/** A block: its CID and bytes. */
export interface Block {
  cid: CID;
  bytes: Uint8Array;
}

/**
 * A pack: the blocks of one commit as a CARv1 whose root is the commit's master metadata, stored
 * in Strata as one blob. The master comes first, then the rest in the order given.
 */
export async function writePack(root: Block, blocks: Iterable<Block>): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create([root.cid]);
  const parts: Uint8Array[] = [];
  const collecting = (async () => {
    for await (const part of out) parts.push(part);
  })();
  await writer.put(root);
  for (const block of blocks) await writer.put(block);
  await writer.close();
  await collecting;
  return concat(parts);
}

/** The key a block is known by in memory: its CID's bytes as a latin1 string (no encoding work). */
export function blockKey(cid: CID): string {
  return latin1(cid.bytes);
}

/**
 * The root of a pack and its blocks by key (views into `bytes`, nothing copied), read section by
 * section as CARv1 lays them out (varint length, CID, block). Blocks are not hashed here: a
 * reader checks each against its CID when it first uses it (`verifyBlock`).
 */
export function indexPack(bytes: Uint8Array): { root: CID; blocks: Map<string, Uint8Array> } {
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (offset >= bytes.length) throw new CorruptBlockError("a pack ends inside a varint");
      const byte = bytes[offset++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
      if (shift > 49) throw new CorruptBlockError("a pack has a varint over 7 bytes");
    }
  };
  let root: CID | undefined;
  try {
    const headerLength = varint();
    const header = dagCbor.decode(bytes.subarray(offset, offset + headerLength)) as {
      version?: number;
      roots?: unknown[];
    };
    offset += headerLength;
    const first = header.roots?.[0];
    if (header.version !== 1 || !first) throw new Error("not a CARv1 with a root");
    root = CID.asCID(first) ?? undefined;
  } catch (cause) {
    throw new CorruptBlockError("a pack is not a CAR", { cause });
  }
  if (!root) throw new CorruptBlockError("a pack has no root");
  const blocks = new Map<string, Uint8Array>();
  while (offset < bytes.length) {
    const length = varint();
    const end = offset + length;
    if (end > bytes.length) throw new CorruptBlockError("a pack ends inside a block");
    const cidStart = offset;
    if (bytes[offset] === 0x12 && bytes[offset + 1] === 0x20) {
      offset += 34; // CIDv0: a bare SHA-256 multihash
    } else {
      varint(); // version
      varint(); // codec
      varint(); // multihash code
      const digestLength = varint(); // read before adding: varint() moves offset itself
      offset += digestLength;
    }
    if (offset > end) throw new CorruptBlockError("a pack's CID overruns its section");
    blocks.set(latin1(bytes, cidStart, offset), bytes.subarray(offset, end));
    offset = end;
  }
  return { root, blocks };
}

/** Checks a block against its CID (SHA-256 only); a block that lies is CorruptBlockError. */
export async function verifyBlock(cid: CID, bytes: Uint8Array): Promise<void> {
  if (cid.multihash.code !== sha256.code)
    throw new CorruptBlockError(`block ${cid} is not SHA-256 addressed`);
  const digest = await sha256.encode(bytes);
  if (!equal(digest, cid.multihash.digest))
    throw new CorruptBlockError(`block ${cid} does not match its CID`);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * The blocks of a CARv1 as it streams in (a pack fetched from a node), section by section: each
 * block is one view or one copy of the bytes however the stream cuts them. The header must be a
 * CARv1's; blocks are not hashed here (`verifyBlock` each).
 */
export async function* readPackStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Block> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let head = 0;
  let available = 0;
  const fill = async (needed: number): Promise<boolean> => {
    while (available < needed) {
      const next = await iterator.next();
      if (next.done) return false;
      chunks.push(next.value);
      available += next.value.length;
    }
    return true;
  };
  const take = (length: number): Uint8Array => {
    available -= length;
    const first = chunks[0] as Uint8Array;
    if (first.length - head >= length) {
      const out = first.subarray(head, head + length);
      head += length;
      if (head === first.length) {
        chunks.shift();
        head = 0;
      }
      return out;
    }
    const out = new Uint8Array(length);
    for (let filled = 0; filled < length; ) {
      const chunk = chunks[0] as Uint8Array;
      const count = Math.min(length - filled, chunk.length - head);
      out.set(chunk.subarray(head, head + count), filled);
      filled += count;
      head += count;
      if (head === chunk.length) {
        chunks.shift();
        head = 0;
      }
    }
    return out;
  };
  const varint = async (atEnd: "end" | "error"): Promise<number | undefined> => {
    let value = 0;
    for (let shift = 0; shift <= 49; shift += 7) {
      if (!(await fill(1))) {
        if (shift === 0 && atEnd === "end") return undefined;
        throw new CorruptBlockError("a pack ends inside a varint");
      }
      const byte = take(1)[0] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new CorruptBlockError("a pack has a varint over 7 bytes");
  };
  const headerLength = (await varint("error")) as number;
  if (!(await fill(headerLength))) throw new CorruptBlockError("a pack ends inside its header");
  try {
    const header = dagCbor.decode(take(headerLength)) as { version?: number; roots?: unknown[] };
    if (header.version !== 1 || !header.roots?.[0]) throw new Error("not a CARv1 with a root");
  } catch (cause) {
    throw new CorruptBlockError("a pack is not a CAR", { cause });
  }
  for (;;) {
    const length = await varint("end");
    if (length === undefined) return;
    if (!(await fill(length))) throw new CorruptBlockError("a pack ends inside a block");
    const section = take(length);
    let cid: CID;
    let bytes: Uint8Array;
    try {
      [cid, bytes] = CID.decodeFirst(section);
    } catch (cause) {
      throw new CorruptBlockError("a pack has a section that is not a CID and a block", { cause });
    }
    yield { cid, bytes };
  }
}
