import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bytesToHex, hexToBytes } from "viem";
import { describe, expect, test } from "vitest";
import { CommitmentBuilder, commitmentOfStream } from "./commitment-builder.ts";
import { LEAF_SIZE } from "./constants.ts";
import { hashGroup } from "./groups.ts";
import { hashLeaves, hashLeavesJs, hashLevelJs, treeRoot } from "./hashing.ts";
import { MerkleTree } from "./merkle-tree.ts";
import { type NativeMerkle, nativeMerkle } from "./native.ts";
import { referenceProof, referenceTree } from "./reference.ts";
import { proofLength, rootFromProof, verifyProof, verifyProofs } from "./verify-proof.ts";

interface Vector {
  name: string;
  size: number;
  input: `0x${string}`;
  root: `0x${string}`;
  proofs: { index: number; proof: `0x${string}` }[];
}

const file = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "docs", "commitment-vectors.json"), "utf8"),
) as {
  leafSize: number;
  vectors: Vector[];
};

function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i += 1) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const referenceRoot = (data: Uint8Array) => {
  const levels = referenceTree(data);
  return levels[levels.length - 1]?.[0] as Uint8Array;
};

describe("commitment test vectors (shared with the Solidity tests)", () => {
  test("the file holds the documented format", () => {
    expect(file.leafSize).toBe(LEAF_SIZE);
    expect(file.vectors.length).toBeGreaterThan(10);
  });

  for (const vector of file.vectors) {
    test(vector.name, () => {
      const data = hexToBytes(vector.input);
      expect(bytesToHex(referenceRoot(data))).toBe(vector.root);
      expect(bytesToHex(treeRoot(data))).toBe(vector.root);
      expect(bytesToHex(new CommitmentBuilder().update(data).digest())).toBe(vector.root);
      const tree = MerkleTree.of(data);
      expect(bytesToHex(tree.root)).toBe(vector.root);
      for (const { index, proof } of vector.proofs) {
        const bytes = hexToBytes(proof);
        expect(bytesToHex(tree.proof(index))).toBe(proof);
        expect(bytesToHex(referenceProof(data, index))).toBe(proof);
        expect(proofLength(vector.size, index)).toBe(bytes.length);
        expect(bytesToHex(rootFromProof(bytes, 0, vector.size, index).root)).toBe(vector.root);
        expect(verifyProof(hexToBytes(vector.root), vector.size, index, bytes)).toBe(true);
      }
    });
  }
});

describe("streaming root", () => {
  const MiB = 1 << 20;
  for (const size of [1, 255, 256, 257, MiB - 1, MiB, MiB + 1, 2 * MiB + 256, 3 * MiB + 12_345]) {
    test(`${size} bytes: every chunking gives the reference root`, () => {
      const data = noise(size, size);
      const expected = bytesToHex(referenceRoot(data));
      for (const chunk of [1_000_003, 65_536, 4_099, 257]) {
        if (size / chunk > 20_000) continue;
        const builder = new CommitmentBuilder();
        for (let offset = 0; offset < size; offset += chunk)
          builder.update(data.subarray(offset, offset + chunk));
        expect(bytesToHex(builder.digest()), `chunks of ${chunk}`).toBe(expected);
        expect(builder.size).toBe(size);
      }
      expect(bytesToHex(treeRoot(data))).toBe(expected);
    });
  }

  test("a stream of many chunks, and a digest taken mid-stream, match", async () => {
    const data = noise(5 * MiB + 77, 9);
    async function* chunks() {
      for (let offset = 0; offset < data.length; offset += 300_000)
        yield data.subarray(offset, offset + 300_000);
    }
    const { root, size } = await commitmentOfStream(chunks());
    expect(size).toBe(data.length);
    expect(bytesToHex(root)).toBe(bytesToHex(treeRoot(data)));
    const builder = new CommitmentBuilder().update(data.subarray(0, 2 * MiB + 5));
    expect(bytesToHex(builder.digest())).toBe(bytesToHex(treeRoot(data.subarray(0, 2 * MiB + 5))));
    builder.update(data.subarray(2 * MiB + 5));
    expect(bytesToHex(builder.digest())).toBe(bytesToHex(root));
  });

  test("an empty blob has no commitment", () => {
    expect(() => new CommitmentBuilder().digest()).toThrow(RangeError);
    expect(() => treeRoot(new Uint8Array())).toThrow(RangeError);
  });
});

// The addon against the JavaScript implementation it must match byte for byte. Without the addon
// (STRATA_NO_NATIVE=1, or not built) there is nothing to compare, so these are skipped, not run
// against JavaScript twice; CI builds it (`npm ci` runs node-gyp) and checks that it loaded.
const addon = nativeMerkle;

describe("hashing paths agree", () => {
  test.runIf(Boolean(process.env.CI) && process.env.STRATA_NO_NATIVE !== "1")(
    "the addon is built and loaded in CI (the JavaScript path is only a fallback)",
    () => {
      expect(addon).toBeDefined();
    },
  );

  test.skipIf(!addon)("native and JavaScript leaves and levels are byte-identical", () => {
    const native = addon as NativeMerkle;
    const data = noise(100 * LEAF_SIZE + 17, 3);
    const leaves = nativeLeaves(native, data);
    expect(bytesToHex(leaves)).toBe(bytesToHex(hashLeavesJs(data)));
    expect(bytesToHex(nativeLevel(native, leaves))).toBe(bytesToHex(hashLevelJs(leaves)));
    const odd = leaves.subarray(0, 7 * 32);
    expect(bytesToHex(nativeLevel(native, odd))).toBe(bytesToHex(hashLevelJs(odd)));
    // the exported functions take the native path when it is there
    expect(bytesToHex(hashLeaves(data))).toBe(bytesToHex(leaves));
  });

  test.skipIf(!addon)(
    "every way the native code pairs messages up (two at a time, then one) agrees",
    async () => {
      const native = addon as NativeMerkle;
      // leaf counts around the two-at-a-time boundary, with and without a partial last leaf
      for (let leaves = 1; leaves <= 9; leaves += 1) {
        for (const extra of [0, 1, LEAF_SIZE - 1]) {
          const length = (leaves - 1) * LEAF_SIZE + (extra === 0 ? LEAF_SIZE : extra);
          const data = noise(length, leaves * 7 + extra);
          expect(bytesToHex(nativeLeaves(native, data)), `${length} bytes`).toBe(
            bytesToHex(hashLeavesJs(data)),
          );
          const root = bytesToHex(referenceRoot(data));
          const out = new Uint8Array(32);
          native.treeRoot(data, new Uint8Array(Math.ceil(length / LEAF_SIZE) * 32), out);
          expect(bytesToHex(out), `${length} bytes`).toBe(root);
          expect(bytesToHex(await native.treeRootAsync(data)), `${length} bytes`).toBe(root);
          expect(bytesToHex(await hashGroup(data)), `${length} bytes`).toBe(root);
        }
      }
      // level widths around the four-nodes-at-a-time boundary
      for (let width = 1; width <= 17; width += 1) {
        const level = noise(width * 32, 100 + width);
        expect(bytesToHex(nativeLevel(native, level)), `width ${width}`).toBe(bytesToHex(hashLevelJs(level)));
      }
    },
  );
});

function nativeLeaves(native: NativeMerkle, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / LEAF_SIZE) * 32);
  native.hashLeaves(data, out);
  return out;
}

function nativeLevel(native: NativeMerkle, level: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(level.length / 64) * 32);
  native.hashLevel(level, out);
  return out;
}

describe("proofs", () => {
  const data = noise(37 * LEAF_SIZE + 100, 5);
  const tree = MerkleTree.of(data);
  const size = data.length;

  test("every leaf's proof verifies, and only against its own index", () => {
    for (let index = 0; index < 38; index += 1) {
      const proof = tree.proof(index);
      expect(verifyProof(tree.root, size, index, proof)).toBe(true);
      if (index > 0) expect(verifyProof(tree.root, size, index - 1, proof)).toBe(false);
    }
  });

  test("a flipped bit anywhere, a missing byte or a trailing byte is refused", () => {
    const proof = tree.proof(21);
    for (let i = 0; i < proof.length; i += 1) {
      const tampered = proof.slice();
      tampered[i] = (tampered[i] as number) ^ 0x80;
      expect(verifyProof(tree.root, size, 21, tampered)).toBe(false);
    }
    expect(verifyProof(tree.root, size, 21, proof.subarray(0, proof.length - 1))).toBe(false);
    expect(verifyProof(tree.root, size, 21, Uint8Array.of(...proof, 0))).toBe(false);
  });

  test("several leaves' proofs concatenate (the on-chain format) and verify in order only", () => {
    const indices = [3, 37, 0, 19];
    const proof = tree.proofs(indices);
    const leaves = indices.map((index) => ({ root: tree.root, size, index }));
    expect(verifyProofs(proof, leaves)).toBe(true);
    expect(verifyProofs(proof, [...leaves].reverse())).toBe(false);
    expect(verifyProofs(proof, leaves.slice(0, 3))).toBe(false);
  });

  test("out-of-range leaves are refused", () => {
    expect(() => tree.proof(38)).toThrow(RangeError);
    expect(verifyProof(tree.root, size, 38, tree.proof(37))).toBe(false);
  });
});
