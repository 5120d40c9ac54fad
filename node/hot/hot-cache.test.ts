import { describe, expect, test } from "vitest";
import { HotCache } from "./hot-cache.ts";

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("HotCache", () => {
  test("lru evicts the least recently read", () => {
    const cache = new HotCache({ capacity: 300, policy: "lru", ttlMs: 60_000 });
    cache.admit("a", 100);
    cache.admit("b", 100);
    cache.admit("c", 100);
    expect(cache.lookup("a")).toBe(true);
    expect(cache.admit("d", 100)).toEqual(["b"]);
    expect(cache.admit("e", 150)).toEqual(["c", "a"]);
    expect(cache.stats()).toMatchObject({ bytes: 250, entries: 2, evictions: 3, hits: 1 });
  });

  test("fifo evicts the oldest admitted, reads or not", () => {
    const cache = new HotCache({ capacity: 300, policy: "fifo", ttlMs: 60_000 });
    cache.admit("a", 100);
    cache.admit("b", 100);
    cache.admit("c", 100);
    cache.lookup("a");
    cache.lookup("a");
    expect(cache.admit("d", 100)).toEqual(["a"]);
  });

  test("lfu keeps the popular entry, and aging lets idle ones go", () => {
    const cache = new HotCache({ capacity: 300, policy: "lfu", ttlMs: 60_000 });
    cache.admit("popular", 100);
    cache.admit("b", 100);
    cache.admit("c", 100);
    for (let i = 0; i < 5; i += 1) cache.lookup("popular");
    cache.lookup("c");
    expect(cache.admit("d", 100)).toEqual(["b"]);
    // each eviction raises the cache age to the victim's priority: newcomers start higher, and
    // after enough churn the once-popular entry, no longer read, is evicted too
    const evicted: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const key = `n${i}`;
      evicted.push(...cache.admit(key, 100));
      cache.lookup(key);
      cache.lookup(key);
    }
    expect(evicted).toContain("popular");
  });

  test("entries expire after the TTL; reads of expired entries are misses", () => {
    const time = clock();
    const cache = new HotCache({ capacity: 1000, policy: "lru", ttlMs: 5_000, now: time.now });
    cache.admit("a", 10);
    time.advance(4_000);
    cache.admit("b", 10);
    expect(cache.lookup("a")).toBe(true);
    time.advance(1_000);
    expect(cache.lookup("a")).toBe(false);
    expect(cache.expire()).toEqual(["a"]);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 10, hits: 1, misses: 1, expirations: 1 });
  });

  test("an entry larger than the capacity is refused; shrinkTo frees down to a size", () => {
    const cache = new HotCache({ capacity: 100, policy: "lru", ttlMs: 5_000 });
    expect(cache.admit("huge", 101)).toEqual(["huge"]);
    expect(cache.has("huge")).toBe(false);
    cache.admit("a", 40);
    cache.admit("b", 40);
    expect(cache.shrinkTo(50)).toEqual(["a"]);
    expect(cache.remove("b")).toBe(true);
    expect(cache.stats().bytes).toBe(0);
  });
});
