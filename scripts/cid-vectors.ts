// Writes docs/cid-vectors.json: the CIDs of reproducible blobs under Strata's UnixFS layout
// (docs/protocol.md §2), for clients written in other languages to check their importer against.
// Blob (chunks, tail): `chunks` chunks of 1 MiB, chunk i filled with byte i mod 256, then `tail`
// bytes of byte `chunks mod 256`.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "viem";
import { CHUNK_SIZE, cidOfStream } from "../protocol/index.ts";

function* patterned(chunks: number, tail: number): Generator<Uint8Array> {
  for (let i = 0; i < chunks; i++) yield new Uint8Array(CHUNK_SIZE).fill(i % 256);
  if (tail > 0) yield new Uint8Array(tail).fill(chunks % 256);
}

const cases: [number, number][] = [
  [0, 1],
  [0, 1000],
  [1, 0],
  [1, 1],
  [3, 12_345],
  [174, 0],
  [174, 1],
  [175, 0],
  [400, 7],
];
const vectors = [];
for (const [chunks, tail] of cases) {
  const cid = await cidOfStream(patterned(chunks, tail));
  vectors.push({
    chunks,
    tail,
    size: chunks * CHUNK_SIZE + tail,
    cid: cid.toString(),
    cidHex: toHex(cid.bytes),
  });
}
const doc = {
  description:
    "Blob (chunks, tail): `chunks` chunks of 1,048,576 bytes, chunk i filled with byte i mod 256, then `tail` bytes of byte `chunks mod 256`. `cid` is its CID under docs/protocol.md §2 (CIDv1, raw leaves, 1 MiB chunks, balanced, 174 links per node), `cidHex` the binary CID as BlobParams.cid carries it.",
  vectors,
};
await writeFile(
  join(import.meta.dirname, "..", "docs", "cid-vectors.json"),
  `${JSON.stringify(doc, null, 2)}\n`,
);
