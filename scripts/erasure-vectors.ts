// Writes docs/erasure-vectors.json: small cold blobs, their layout, every holder's shard, the shard
// commitments and the cold commitment over them. The TypeScript tests (protocol/erasure) and the
// Solidity tests (test/solidity) both check them; regenerate only if the format changes.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "viem";
import { coldCommitmentOfStream, coldLayout, encodeWhole } from "../protocol/erasure/index.ts";

const cases: [size: number, nodes: number, recovery: number][] = [
  [1, 1, 1],
  [100, 3, 2],
  [1000, 5, 3],
  [4096, 5, 4],
  [5000, 7, 4],
];

function input(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 37 + size * 11 + (i >> 7)) & 0xff);
}

async function* once(data: Uint8Array) {
  yield data;
}

const vectors = [];
for (const [size, nodes, recovery] of cases) {
  const data = input(size);
  const layout = coldLayout(size, nodes, recovery);
  const shards = await encodeWhole(data, layout);
  const { shardRoots, commitment } = await coldCommitmentOfStream(once(data), layout);
  vectors.push({
    name: `${size} bytes on ${nodes} holders, any ${recovery} rebuild it`,
    size,
    nodes,
    recovery,
    symbolSize: layout.symbolSize,
    stripes: layout.stripes,
    shardSize: layout.shardSize,
    input: toHex(data),
    shards: shards.map((shard) => toHex(shard)),
    shardRoots: shardRoots.map((root) => toHex(root)),
    commitment: toHex(commitment),
  });
}
const path = join(import.meta.dirname, "..", "docs", "erasure-vectors.json");
await writeFile(
  path,
  `${JSON.stringify({ field: "GF(2^8) mod 0x11d", count: vectors.length, vectors }, null, 2)}\n`,
);
console.log(`wrote ${vectors.length} vectors to ${path}`);
