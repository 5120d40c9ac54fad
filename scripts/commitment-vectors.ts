// Writes docs/commitment-vectors.json: inputs, roots and proofs of the blob commitment, computed
// with the reference implementation. The Solidity tests (test/solidity) and the TypeScript tests
// (protocol/commitment/*.test.ts) both check them; regenerate only if the format changes.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "viem";
import { referenceProof, referenceTree } from "../protocol/commitment/reference.ts";

const LEAF = 256;
const sizes = [
  1, 32, 255, 256, 257, 511, 512, 513, 768, 1000, 1280, 1792, 2048, 2049, 3000, 4096, 4097, 6400,
];

function input(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + size * 7 + (i >> 8)) & 0xff);
}

const vectors = sizes.map((size) => {
  const data = input(size);
  const levels = referenceTree(data);
  const leaves = Math.ceil(size / LEAF);
  const indices = [...new Set([0, leaves - 1, Math.floor(leaves / 2), Math.max(0, leaves - 2)])].sort(
    (a, b) => a - b,
  );
  return {
    name: `${size} bytes, ${leaves} leaves`,
    size,
    leaves,
    input: toHex(data),
    root: toHex(levels[levels.length - 1]?.[0] as Uint8Array),
    proofs: indices.map((index) => ({ index, proof: toHex(referenceProof(data, index)) })),
  };
});
const path = join(import.meta.dirname, "..", "docs", "commitment-vectors.json");
await writeFile(
  path,
  `${JSON.stringify({ leafSize: LEAF, leafPrefix: "0x00", nodePrefix: "0x01", count: vectors.length, vectors }, null, 2)}\n`,
);
console.log(`wrote ${vectors.length} vectors to ${path}`);
