// Commitment throughput against flat SHA-256 (node:crypto) of the same bytes, measured in the
// same run. Target: >= 0.3 for a 256 MiB buffer and a 1 GiB stream.
//   npm run bench:commitment
// Also prints the leaf-size trade-off behind docs/protocol.md: tree hashing speed against the
// calldata (and EIP-7623 floor gas) of one sample's proof over a 1 GiB blob.

import { createHash } from "node:crypto";
import { CommitmentBuilder, nativeMerkle, treeRoot } from "#protocol";
import { noise } from "../devnet/noise.ts";
import { type Figure, report } from "./report.ts";

const MiB = 1 << 20;

/** Best of `runs` timings of `work`, in MB/s over `bytes`. */
function speed(bytes: number, runs: number, work: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    work();
    best = Math.min(best, performance.now() - start);
  }
  return bytes / MiB / (best / 1000);
}

function chunks(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < data.length; offset += size) out.push(data.subarray(offset, offset + size));
  return out;
}

if (!nativeMerkle) console.warn("the hashing addon is not built: measuring the JavaScript fallback");

const buffer = noise(256 * MiB, 7);
const flatBuffer = speed(buffer.length, 3, () => createHash("sha256").update(buffer).digest());
const treeBuffer = speed(buffer.length, 3, () => treeRoot(buffer));

const stream = chunks(noise(1024 * MiB, 7), 64 * 1024);
const streamBytes = 1024 * MiB;
const flatStream = speed(streamBytes, 2, () => {
  const hash = createHash("sha256");
  for (const chunk of stream) hash.update(chunk);
  hash.digest();
});
const treeStream = speed(streamBytes, 2, () => {
  const builder = new CommitmentBuilder();
  for (const chunk of stream) builder.update(chunk);
  builder.digest();
});

const figure = (name: string, value: number, baseline: number): Figure => ({
  name,
  value,
  unit: "MB/s",
  baseline,
  baselineName: "flat SHA-256",
  min: 0.3,
});
const ok = report("Commitment throughput (one core)", [
  figure("256 MiB buffer", treeBuffer, flatBuffer),
  figure("1 GiB stream, 64 KiB chunks", treeStream, flatStream),
]);

if (nativeMerkle) {
  const native = nativeMerkle;
  const sample = buffer.subarray(0, 64 * MiB);
  const flat = speed(sample.length, 3, () => createHash("sha256").update(sample).digest());
  console.log("\nLeaf size trade-off (64 MiB of data; proof of one sample over a 1 GiB blob)");
  console.log("  leaf   tree/flat   proof bytes   floor gas (40/byte)");
  for (const leaf of [64, 128, 256, 512, 1024, 4096]) {
    const leaves = new Uint8Array(Math.ceil(sample.length / leaf) * 32);
    const tree = speed(sample.length, 3, () => {
      native.hashLeaves(sample, leaves, leaf);
      let level = leaves;
      while (level.length > 32) {
        const next = new Uint8Array(Math.ceil(level.length / 64) * 32);
        native.hashLevel(level, next);
        level = next;
      }
    });
    const depth = Math.ceil(Math.log2((1024 * MiB) / leaf));
    const bytes = leaf + 32 * depth;
    console.log(
      `  ${String(leaf).padStart(4)}   ${(tree / flat).toFixed(3).padStart(9)}   ${String(bytes).padStart(11)}   ${String(bytes * 40).padStart(19)}`,
    );
  }
}
process.exitCode = ok ? 0 : 1;
