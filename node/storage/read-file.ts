import * as dagPb from "@ipld/dag-pb";
import type { Blockstore } from "interface-blockstore";
import { UnixFS } from "ipfs-unixfs";
import toBuffer from "it-to-buffer";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { NotAFileError } from "../errors.ts";

interface Piece {
  cid?: CID;
  /** Inline bytes of a dag-pb node (no block to read). */
  data?: Uint8Array;
  /** Offset of the piece in the file. */
  start: number;
}

/**
 * Bytes `[offset, offset + length)` (all of them without a range) of the UnixFS file under
 * `root`, in order, reading at most
 * `readAhead` leaf blocks ahead of the consumer. (The UnixFS exporter walks the DAG as fast as it
 * can and queues everything for a slow reader: a whole file in memory. Here the reader's pace
 * sets the pace.)
 */
export async function* readFileRange(
  blockstore: Pick<Blockstore, "get">,
  root: CID,
  range: { offset: number; length: number } = { offset: 0, length: Number.POSITIVE_INFINITY },
  options: {
    signal?: AbortSignal | undefined;
    readAhead?: number;
    /** Reads a raw leaf block (by default, from `blockstore`). */
    readLeaf?: (cid: CID) => Promise<Uint8Array>;
    /** Given every leaf read ahead but never yielded (the consumer stopped early). */
    discard?: (bytes: Uint8Array) => void;
  } = {},
): AsyncGenerator<Uint8Array> {
  const end = range.offset + range.length;
  if (range.length <= 0) return;
  const readAhead = Math.max(1, options.readAhead ?? 4);
  const read = async (cid: CID) =>
    toBuffer(blockstore.get(cid, options.signal ? { signal: options.signal } : {}));
  const readLeaf = options.readLeaf ?? read;
  const pending: { piece: Piece; bytes: Promise<Uint8Array> }[] = [];
  const pieces = leafPieces(root, read, range.offset, end);
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && pending.length < readAhead) {
      const next = await pieces.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const piece = next.value;
      const cid = piece.cid as CID;
      pending.push({ piece, bytes: piece.data ? Promise.resolve(piece.data) : readLeaf(cid) });
    }
  };
  try {
    for (;;) {
      await fill();
      const head = pending.shift();
      if (!head) return;
      const bytes = await head.bytes;
      const from = Math.max(0, range.offset - head.piece.start);
      const to = Math.min(bytes.length, end - head.piece.start);
      if (to > from) yield bytes.subarray(from, to);
      else options.discard?.(bytes);
    }
  } finally {
    for (const { bytes } of pending.splice(0)) {
      bytes.then((unread) => options.discard?.(unread)).catch(() => undefined);
    }
  }
}

/** The file's pieces overlapping `[start, end)`, in order, reading only the interior nodes. */
async function* leafPieces(
  cid: CID,
  read: (cid: CID) => Promise<Uint8Array>,
  start: number,
  end: number,
  position = 0,
): AsyncGenerator<Piece> {
  if (cid.code === raw.code) {
    yield { cid, start: position };
    return;
  }
  if (cid.code !== dagPb.code) throw new NotAFileError(cid.toString(), `codec 0x${cid.code.toString(16)}`);
  const node = dagPb.decode(await read(cid));
  const file = UnixFS.unmarshal(node.Data ?? new Uint8Array());
  if (file.type !== "file" && file.type !== "raw") throw new NotAFileError(cid.toString(), file.type);
  let offset = position;
  if (file.data !== undefined && file.data.length > 0) {
    if (offset + file.data.length > start && offset < end) yield { data: file.data, start: offset };
    offset += file.data.length;
  }
  for (const [i, link] of node.Links.entries()) {
    const size = Number(file.blockSizes[i] ?? 0n);
    if (offset + size > start && offset < end) yield* leafPieces(link.Hash, read, start, end, offset);
    offset += size;
    if (offset >= end) return;
  }
}
