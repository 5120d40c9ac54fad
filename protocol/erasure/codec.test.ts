import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitmentOf } from "../commitment/index.ts";
import { StripeCodec } from "./codec.ts";
import { coldCommitmentOfStream } from "./cold-commitment.ts";
import { coldLayout, coldLayoutForFaults } from "./cold-layout.ts";
import { generator, gfInv, gfMul, invert, matMulJs, pickRows } from "./gf256.ts";
import { erasureKernel, matMul } from "./native.ts";
import { shardsRoot } from "./shard-roots.ts";
import { encodeWhole } from "./stripes.ts";

async function* once(data: Uint8Array) {
  yield data;
}

/** Every holder's whole shard of `data`. */
async function shardsOf(data: Uint8Array, n: number, k: number) {
  const layout = coldLayout(data.length, n, k);
  return { layout, shards: await encodeWhole(data, layout) };
}

/** Rebuilds the blob from the primary parts of `holders`. */
function decodeFrom(layout: ReturnType<typeof coldLayout>, shards: Uint8Array[], holders: number[]) {
  const codec = new StripeCodec(layout);
  const out = new Uint8Array(layout.stripes * layout.stripeBytes);
  for (let t = 0; t < layout.stripes; t += 1) {
    const primaries = shards.map((shard, i) =>
      holders.includes(i)
        ? codec.primaryOf(i, shard.subarray(t * layout.shardStripeBytes, (t + 1) * layout.shardStripeBytes))
        : undefined,
    );
    codec.decode(primaries, out.subarray(t * layout.stripeBytes, (t + 1) * layout.stripeBytes));
  }
  return out.subarray(0, layout.size);
}

function subsets(n: number, size: number): number[][] {
  if (size === 0) return [[]];
  if (n < size) return [];
  return [...subsets(n - 1, size), ...subsets(n - 1, size - 1).map((s) => [...s, n - 1])];
}

describe("GF(2^8)", () => {
  it("inverts every non-zero element and every k x k submatrix of the generator", () => {
    for (let a = 1; a < 256; a += 1) expect(gfMul(a, gfInv(a))).toBe(1);
    const g = generator(8, 5);
    for (const rows of subsets(8, 5)) {
      const picked = pickRows(g, rows);
      const inverse = invert(picked);
      for (let i = 0; i < 5; i += 1) {
        for (let j = 0; j < 5; j += 1) {
          let sum = 0;
          for (let t = 0; t < 5; t += 1) sum ^= gfMul(picked.data[i * 5 + t], inverse.data[t * 5 + j]);
          expect(sum).toBe(i === j ? 1 : 0);
        }
      }
    }
  });

  it(`computes the same products in the ${erasureKernel} kernel as in JavaScript`, () => {
    const inputs = Array.from({ length: 7 }, () => new Uint8Array(randomBytes(10_007)));
    const coefficients = new Uint8Array(randomBytes(3 * 7));
    const native = Array.from({ length: 3 }, () => new Uint8Array(10_007).fill(0xaa));
    const js = Array.from({ length: 3 }, () => new Uint8Array(10_007));
    matMul(coefficients, inputs, native);
    matMulJs(coefficients, inputs, js);
    expect(native).toEqual(js);
  });
});

describe("cold layout", () => {
  it("gives every holder stripes * k symbols and covers the blob with k (k + 1) / 2 per stripe", () => {
    const layout = coldLayoutForFaults(64 * 1024 * 1024, 5, 1);
    expect(layout.recovery).toBe(4);
    expect(layout.symbolSize % 64).toBe(0);
    expect(layout.stripeBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(layout.stripes * layout.stripeBytes).toBeGreaterThanOrEqual(layout.size);
    expect(layout.stripeBytes).toBe(10 * layout.symbolSize);
    expect(layout.shardSize).toBe(layout.stripes * 4 * layout.symbolSize);
    expect(layout.shardSize * layout.recovery).toBeGreaterThanOrEqual(layout.size);
  });

  it("pads every stripe by less than 64 bytes per symbol", () => {
    for (const size of [1, 4095, 64 * 1024 * 1024, 64 * 1024 * 1024 + 1, 1_000_000_007]) {
      for (const [n, f] of [
        [5, 1],
        [10, 3],
        [16, 0],
      ] as const) {
        const layout = coldLayoutForFaults(size, n, f);
        const cells = layout.stripeBytes / layout.symbolSize;
        const padding = layout.stripes * layout.stripeBytes - size;
        expect(padding, `${size} on ${n}`).toBeGreaterThanOrEqual(0);
        expect(padding, `${size} on ${n}`).toBeLessThan(layout.stripes * cells * 64);
        expect(layout.stripeBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
      }
    }
  });

  it("refuses impossible parameters with a clear error", () => {
    expect(() => coldLayout(0, 5, 3)).toThrow(/size must be positive/);
    expect(() => coldLayout(100, 17, 3)).toThrow(/1 to 16 shard holders/);
    expect(() => coldLayout(100, 5, 6)).toThrow(/recovery must be between 1 and the 5/);
    expect(() => coldLayoutForFaults(100, 5, 5)).toThrow(/faults must be between 0 and 4/);
  });
});

describe("two-dimensional Reed-Solomon code", () => {
  it.each([
    [1, 1, 1],
    [1000, 5, 3],
    [50_000, 6, 2],
    [65_536, 5, 4],
    [300_001, 7, 4],
    [9_000_000, 6, 4],
  ])("rebuilds a %i-byte blob on %i holders from any %i of them", async (size, n, k) => {
    const data = new Uint8Array(randomBytes(size));
    const { layout, shards } = await shardsOf(data, n, k);
    const sets = subsets(n, k);
    for (const holders of sets.length > 12 ? sets.slice(-12) : sets) {
      expect(Buffer.from(decodeFrom(layout, shards, holders)).equals(data)).toBe(true);
    }
  });

  it("refuses to decode from fewer than k primary parts, or from parts of the wrong size", async () => {
    const { layout, shards } = await shardsOf(new Uint8Array(randomBytes(5000)), 5, 3);
    expect(() => decodeFrom(layout, shards, [0, 4])).toThrow(/2 of the 3 pieces needed/);
    // a systematic holder's whole sliver is not its primary part
    const codec = new StripeCodec(layout);
    const whole = shards.map((shard) => shard.subarray(0, layout.shardStripeBytes));
    expect(() => codec.decode(whole, new Uint8Array(layout.stripeBytes))).toThrow(
      /holder 1's primary part is/,
    );
  });

  it("keeps the blob's bytes in holders 0..k-1 as they are, each row of the triangle once", async () => {
    const data = new Uint8Array(randomBytes(3 * 64 * 6));
    const { layout, shards } = await shardsOf(data, 5, 3);
    expect([layout.symbolSize, layout.stripes]).toEqual([192, 1]);
    const s = layout.symbolSize;
    // X = [[a b c], [b d e], [c e f]]: the blob is a b c d e f
    const [a, b, c, d, e, f] = Array.from({ length: 6 }, (_, i) => data.subarray(i * s, (i + 1) * s));
    expect(Buffer.from(shards[0] as Uint8Array).equals(Buffer.concat([a, b, c]))).toBe(true);
    expect(Buffer.from(shards[1] as Uint8Array).equals(Buffer.concat([b, d, e]))).toBe(true);
    expect(Buffer.from(shards[2] as Uint8Array).equals(Buffer.concat([c, e, f]))).toBe(true);
  });

  it("repairs any lost shard from k helpers' repair symbols, moving one shard's worth: 2/(k+1) of the blob", async () => {
    const data = new Uint8Array(randomBytes(1_000_000));
    const n = 6;
    const k = 4;
    const { layout, shards } = await shardsOf(data, n, k);
    const codec = new StripeCodec(layout);
    for (let lost = 0; lost < n; lost += 1) {
      const helpers = [0, 1, 2, 3, 4, 5].filter((i) => i !== lost).slice(lost % 2, (lost % 2) + k);
      const rebuilt = new Uint8Array(layout.shardSize);
      let moved = 0;
      for (let t = 0; t < layout.stripes; t += 1) {
        const at = t * layout.shardStripeBytes;
        const symbols = shards.map((shard, i) => {
          if (!helpers.includes(i)) return undefined;
          const out = new Uint8Array(layout.symbolSize);
          codec.repairSymbols(lost, shard.subarray(at, at + layout.shardStripeBytes), out);
          moved += out.length;
          return out;
        });
        codec.repair(symbols, rebuilt.subarray(at, at + layout.shardStripeBytes));
      }
      expect(Buffer.from(rebuilt).equals(shards[lost])).toBe(true);
      expect(moved).toBe(layout.shardSize);
      expect(moved / (layout.stripes * layout.stripeBytes)).toBeCloseTo(2 / (k + 1), 10);
    }
  });

  it("commits to every shard, and the cold commitment to the shard commitments", async () => {
    const data = new Uint8Array(randomBytes(200_000));
    const { layout, shards } = await shardsOf(data, 5, 3);
    const { shardRoots, commitment } = await coldCommitmentOfStream(once(data), layout);
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
    expect(shardRoots.map(hex)).toEqual(shards.map((shard) => hex(commitmentOf(shard))));
    expect(hex(commitment)).toBe(hex(shardsRoot(shardRoots)));
    const tampered = shardRoots.slice();
    tampered[2] = commitmentOf(new Uint8Array(layout.shardSize));
    expect(hex(shardsRoot(tampered))).not.toBe(hex(commitment));
  });
});

describe("docs/erasure-vectors.json", () => {
  const file = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "..", "docs", "erasure-vectors.json"), "utf8"),
  ) as {
    vectors: {
      size: number;
      nodes: number;
      recovery: number;
      symbolSize: number;
      stripes: number;
      shardSize: number;
      input: string;
      shards: string[];
      shardRoots: string[];
      commitment: string;
    }[];
  };
  const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
  const hex = (data: Uint8Array) => `0x${Buffer.from(data).toString("hex")}`;

  it.each(file.vectors.map((vector) => [`${vector.size} bytes on ${vector.nodes}`, vector] as const))(
    "%s: layout, shards, shard commitments and cold commitment",
    async (_, vector) => {
      const data = bytes(vector.input);
      const { layout, shards } = await shardsOf(data, vector.nodes, vector.recovery);
      expect([layout.symbolSize, layout.stripes, layout.shardSize]).toEqual([
        vector.symbolSize,
        vector.stripes,
        vector.shardSize,
      ]);
      expect(shards.map(hex)).toEqual(vector.shards);
      expect(shards.map((shard) => hex(commitmentOf(shard)))).toEqual(vector.shardRoots);
      expect(hex(shardsRoot(vector.shardRoots.map(bytes)))).toBe(vector.commitment);
    },
  );
});
