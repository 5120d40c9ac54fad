import { describe, expect, it } from "vitest";
import { BufferPool } from "./buffer-pool.ts";

describe("BufferPool", () => {
  it("hands a released buffer out again, found from any view of it", () => {
    const pool = new BufferPool(1024, 4);
    const first = pool.acquire();
    expect(first.length).toBe(1024);
    pool.release(first.subarray(10, 20));
    expect(pool.stats()).toEqual({ out: 0, free: 1 });
    expect(pool.acquire()).toBe(first);
  });

  it("never hands out a buffer twice while it is out", () => {
    const pool = new BufferPool(64, 4);
    const taken = new Set([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(taken.size).toBe(3);
    expect(pool.stats().out).toBe(3);
  });

  it("ignores what it did not hand out, and a second release", () => {
    const pool = new BufferPool(64, 4);
    const buffer = pool.acquire();
    pool.release(Buffer.alloc(64));
    pool.release(buffer);
    pool.release(buffer);
    expect(pool.stats()).toEqual({ out: 0, free: 1 });
  });

  it("keeps at most `keep` buffers for reuse", () => {
    const pool = new BufferPool(64, 2);
    const buffers = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const buffer of buffers) pool.release(buffer);
    expect(pool.stats()).toEqual({ out: 0, free: 2 });
  });
});
