import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { BloomFilter } from "./bloom-filter.ts";

/** `count` distinct sha2-256 multihashes (34 bytes, as a block's), from `seed`. */
function keys(count: number, seed: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    Uint8Array.of(0x12, 0x20, ...createHash("sha256").update(`${seed}:${i}`).digest()),
  );
}

describe("BloomFilter", () => {
  test("every added key is found", () => {
    const filter = new BloomFilter(16 * 1024);
    const added = keys(10_000, 1);
    for (const key of added) filter.add(key);
    expect(added.filter((key) => !filter.has(key))).toHaveLength(0);
  });

  test("false positives are within a factor 2 of the estimate, under 2% at 16 KiB and 10k keys", () => {
    const filter = new BloomFilter(16 * 1024);
    for (const key of keys(10_000, 1)) filter.add(key);
    const absent = keys(100_000, 2);
    const measured = absent.filter((key) => filter.has(key)).length / absent.length;
    const estimate = filter.falsePositiveRate;
    expect(measured).toBeGreaterThan(estimate / 2);
    expect(measured).toBeLessThan(estimate * 2);
    expect(measured).toBeLessThan(0.02);
  });

  test("the fill ratio grows with adds", () => {
    const filter = new BloomFilter(4096);
    expect(filter.fillRatio).toBe(0);
    const ratios: number[] = [];
    for (const batch of [keys(100, 1), keys(1000, 2), keys(3000, 3)]) {
      for (const key of batch) filter.add(key);
      ratios.push(filter.fillRatio);
    }
    expect(ratios[0]).toBeGreaterThan(0);
    expect(ratios[1]).toBeGreaterThan(ratios[0] as number);
    expect(ratios[2]).toBeGreaterThan(ratios[1] as number);
    expect(ratios[2]).toBeLessThanOrEqual(1);
  });

  test("adding a key twice sets no more bits", () => {
    const filter = new BloomFilter(1024);
    const [key] = keys(1, 1) as [Uint8Array];
    filter.add(key);
    const once = filter.fillRatio;
    filter.add(key);
    expect(filter.fillRatio).toBe(once);
    expect(once * 1024 * 8).toBeLessThanOrEqual(filter.hashes);
  });
});
