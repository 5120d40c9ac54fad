import { describe, expect, test } from "vitest";
import { CHUNK_SIZE, MAX_LINKS } from "#protocol";
import { ByteBudget } from "./byte-budget.ts";

const BLOCK_SIZE = 4096;
const MiB = 1024 * 1024;

/** A budget over a fake disk whose use and free space the test sets. */
function budget(options: { max?: number; used?: number; freeBytes?: number; freeInodes?: number } = {}) {
  const disk = {
    used: options.used ?? 0,
    freeBytes: options.freeBytes ?? Number.MAX_SAFE_INTEGER,
    freeInodes: options.freeInodes ?? Number.MAX_SAFE_INTEGER,
  };
  const metrics = { uploadsRefused: 0 };
  const bytes = new ByteBudget({
    cachedBytes: () => 0,
    metrics,
    max: options.max ?? Number.MAX_SAFE_INTEGER,
    disk: {
      usedBytes: () => disk.used,
      filesystem: () => ({ blockSize: BLOCK_SIZE, freeBytes: disk.freeBytes, freeInodes: disk.freeInodes }),
    },
  });
  return { budget: bytes, disk, metrics };
}

/** Whether `checkRoom(bytes)` lets an upload in; its code when it does not. */
const room = (target: ByteBudget, bytes: number): true | string => {
  try {
    target.checkRoom(bytes);
    return true;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe("ByteBudget", () => {
  test("costOf rounds every block up to the file system's block size", () => {
    const { budget: target } = budget();
    const one = target.costOf(1);
    expect(one.inodes).toBe(1);
    expect(one.bytes).toBeGreaterThanOrEqual(BLOCK_SIZE);
    // three full leaves and the root that links them
    const three = target.costOf(3 * CHUNK_SIZE);
    expect(three.inodes).toBe(4);
    expect(three.bytes - 3 * CHUNK_SIZE).toBe(one.bytes - 1 + 3 * BLOCK_SIZE);
    // every leaf rounded up to a whole block, every node linking them a block at least
    for (const size of [
      1,
      BLOCK_SIZE - 1,
      BLOCK_SIZE + 1,
      CHUNK_SIZE,
      CHUNK_SIZE + 1,
      3 * CHUNK_SIZE + 12_345,
    ]) {
      const { bytes, inodes } = target.costOf(size);
      const leaves = Math.ceil(size / CHUNK_SIZE);
      expect(bytes, `${size}`).toBeGreaterThanOrEqual(
        Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE + (inodes - leaves) * BLOCK_SIZE,
      );
    }
    // past MAX_LINKS leaves, a level of links more
    expect(target.costOf((MAX_LINKS + 1) * CHUNK_SIZE).inodes).toBe(MAX_LINKS + 1 + 2 + 1);
  });

  test("refuses what would take the disk past StorageMax", () => {
    const size = 5 * MiB;
    const cost = budget().budget.costOf(size).bytes;
    const at = budget({ max: 100 * MiB, used: 100 * MiB - cost });
    expect(room(at.budget, size)).toBe(true);
    const over = budget({ max: 100 * MiB, used: 100 * MiB - cost + 1 });
    expect(room(over.budget, size)).toBe("NODE_ERR_STORAGE_FULL");
    expect(over.metrics.uploadsRefused).toBe(1);
  });

  test("refuses what the file system has no bytes left for", () => {
    const size = 5 * MiB;
    const cost = budget().budget.costOf(size).bytes;
    expect(room(budget({ freeBytes: cost }).budget, size)).toBe(true);
    expect(room(budget({ freeBytes: cost - 1 }).budget, size)).toBe("NODE_ERR_STORAGE_FULL");
  });

  test("refuses what the file system has no inodes left for", () => {
    const size = 5 * MiB;
    const { inodes } = budget().budget.costOf(size);
    expect(room(budget({ freeInodes: inodes }).budget, size)).toBe(true);
    const short = budget({ freeInodes: inodes - 1 });
    expect(() => short.budget.checkRoom(size)).toThrow(/inodes/);
    expect(room(short.budget, size)).toBe("NODE_ERR_STORAGE_FULL");
  });

  test("a reservation holds its room until its bytes are written or it is released", () => {
    const size = 2 * MiB;
    const cost = budget().budget.costOf(size).bytes;
    // room for one such upload, not two
    const { budget: target, disk } = budget({ max: 2 * cost - 1 });
    const reservation = target.reserve(size);
    expect(target.usage()).toMatchObject({ reserved: cost, held: size });
    expect(room(target, size)).toBe("NODE_ERR_STORAGE_FULL");

    // written bytes move from the reservation to the disk: no room comes free
    disk.used += MiB;
    reservation.wrote(MiB);
    expect(target.usage().reserved).toBe(cost - MiB);
    expect(room(target, size)).toBe("NODE_ERR_STORAGE_FULL");

    // the rest given back: what was written still counts
    reservation.release();
    expect(target.usage()).toMatchObject({ reserved: 0, held: 0 });
    expect(room(target, size)).toBe(true);
    disk.used += cost;
    expect(room(target, size)).toBe("NODE_ERR_STORAGE_FULL");
  });

  test("a reservation written past its cost reserves nothing more, and releases nothing twice", () => {
    const size = MiB;
    const { budget: target } = budget();
    const first = target.reserve(size);
    const second = target.reserve(size);
    const cost = target.costOf(size).bytes;
    first.wrote(10 * cost);
    expect(target.usage().reserved).toBe(cost);
    first.release();
    first.release();
    expect(target.usage()).toMatchObject({ reserved: cost, held: size });
    second.release();
    expect(target.usage()).toMatchObject({ reserved: 0, held: 0 });
  });
});
