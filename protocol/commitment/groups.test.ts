import { bytesToHex } from "viem";
import { describe, expect, test } from "vitest";
import { LEAF_SIZE } from "./constants.ts";
import { GROUP_BYTES, GroupedCommitmentBuilder, proofFromGroup, rootOfGroups } from "./groups.ts";
import { treeRoot } from "./hashing.ts";
import { MerkleTree } from "./merkle-tree.ts";

function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i += 1) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("grouped commitment", () => {
  for (const size of [
    100,
    GROUP_BYTES,
    GROUP_BYTES + 1,
    2 * GROUP_BYTES + 77 * LEAF_SIZE + 5,
    5 * GROUP_BYTES,
  ]) {
    test(`${size} bytes: same root as the whole tree, and every proof from one group matches`, async () => {
      const data = noise(size, size);
      const builder = new GroupedCommitmentBuilder({ parallel: 2 });
      for (let offset = 0; offset < size; offset += 300_001)
        await builder.update(data.subarray(offset, offset + 300_001));
      const commitment = await builder.digest();
      const tree = MerkleTree.of(data);
      expect(bytesToHex(commitment.root)).toBe(bytesToHex(tree.root));
      expect(bytesToHex(commitment.root)).toBe(bytesToHex(treeRoot(data)));
      expect(commitment.size).toBe(size);
      expect(commitment.groupRoots.length).toBe(Math.ceil(size / GROUP_BYTES) * 32);
      expect(bytesToHex(rootOfGroups(commitment.groupRoots))).toBe(bytesToHex(tree.root));
      const leaves = Math.ceil(size / LEAF_SIZE);
      const indices = [0, 1, leaves - 1, Math.floor(leaves / 2), 4095, 4096].filter((i) => i < leaves);
      for (const index of indices) {
        const group = index >> 12;
        const bytes = data.subarray(group * GROUP_BYTES, Math.min(size, (group + 1) * GROUP_BYTES));
        expect(bytesToHex(proofFromGroup(commitment, index, bytes)), `leaf ${index}`).toBe(
          bytesToHex(tree.proof(index)),
        );
      }
    });
  }

  test("a group of the wrong length is refused", async () => {
    const data = noise(GROUP_BYTES + 10, 1);
    const builder = new GroupedCommitmentBuilder();
    await builder.update(data);
    const commitment = await builder.digest();
    expect(() => proofFromGroup(commitment, 4096, data.subarray(GROUP_BYTES, GROUP_BYTES + 9))).toThrow(
      RangeError,
    );
  });
});
