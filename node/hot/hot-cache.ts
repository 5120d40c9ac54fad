import type { CachePolicyName } from "../config.ts";

export interface CacheEntry {
  key: string;
  size: number;
  insertedAt: number;
  expiresAt: number;
  /** LFU-DA priority: hits plus the cache's age when last hit. */
  priority: number;
  hits: number;
}

export interface CacheStats {
  policy: CachePolicyName;
  capacity: number;
  bytes: number;
  entries: number;
  hits: number;
  misses: number;
  evictions: number;
  expirations: number;
}

/**
 * The hot tier's bookkeeping: which extra copies (blobs this node does not hold for the chain but
 * fetched for readers) stay, within `capacity` bytes and for `ttlMs` at most. Policies:
 * - `lru`: evict the least recently read;
 * - `fifo`: evict the oldest admitted;
 * - `lfu`: LFU with dynamic aging (LFU-DA): an entry's priority is its hits plus the cache age
 *   `L` at its last hit, the lowest priority goes first and `L` becomes its priority, so once
 *   popular but idle entries age out.
 * It only keeps books: the caller deletes what `admit` and `expire` return.
 */
export class HotCache {
  readonly #capacity: number;
  readonly #policy: CachePolicyName;
  readonly #ttlMs: number;
  readonly #now: () => number;
  // insertion order is the eviction order for fifo, and (re-inserted on every hit) for lru
  readonly #entries = new Map<string, CacheEntry>();
  #bytes = 0;
  #age = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expirations = 0;

  constructor(options: { capacity: number; policy: CachePolicyName; ttlMs: number; now?: () => number }) {
    this.#capacity = options.capacity;
    this.#policy = options.policy;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Records a read of `key`: a hit if it is cached and fresh, a miss otherwise. */
  lookup(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.#now()) {
      this.#misses += 1;
      return false;
    }
    this.#hits += 1;
    entry.hits += 1;
    entry.priority = entry.hits + this.#age;
    if (this.#policy === "lru") {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return true;
  }

  has(key: string): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > this.#now();
  }

  /**
   * Admits `key` of `size` bytes (refreshing its TTL if present) and returns the keys evicted to
   * make room. An entry larger than the whole capacity is not admitted: its own key is returned.
   */
  admit(key: string, size: number): string[] {
    if (size > this.#capacity) return [key];
    const now = this.#now();
    const existing = this.#entries.get(key);
    if (existing) this.#remove(key);
    const evicted: string[] = [];
    while (this.#bytes + size > this.#capacity) {
      const victim = this.#victim();
      if (victim === undefined) break;
      if (this.#policy === "lfu") this.#age = victim.priority;
      this.#remove(victim.key);
      this.#evictions += 1;
      evicted.push(victim.key);
    }
    const hits = existing?.hits ?? 0;
    this.#entries.set(key, {
      key,
      size,
      insertedAt: now,
      expiresAt: now + this.#ttlMs,
      hits,
      priority: hits + this.#age,
    });
    this.#bytes += size;
    return evicted;
  }

  /** Forgets `key` (deleted elsewhere); whether it was cached. */
  remove(key: string): boolean {
    return this.#remove(key);
  }

  /** Drops entries whose TTL ran out and returns their keys. */
  expire(): string[] {
    const now = this.#now();
    const expired: string[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.expiresAt <= now) expired.push(entry.key);
    }
    for (const key of expired) this.#remove(key);
    this.#expirations += expired.length;
    return expired;
  }

  /** Evicts by policy until at most `bytes` are cached; returns the keys evicted. */
  shrinkTo(bytes: number): string[] {
    const evicted: string[] = [];
    while (this.#bytes > bytes) {
      const victim = this.#victim();
      if (victim === undefined) break;
      if (this.#policy === "lfu") this.#age = victim.priority;
      this.#remove(victim.key);
      this.#evictions += 1;
      evicted.push(victim.key);
    }
    return evicted;
  }

  entries(): CacheEntry[] {
    return [...this.#entries.values()];
  }

  stats(): CacheStats {
    return {
      policy: this.#policy,
      capacity: this.#capacity,
      bytes: this.#bytes,
      entries: this.#entries.size,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      expirations: this.#expirations,
    };
  }

  #victim(): CacheEntry | undefined {
    if (this.#policy !== "lfu") return this.#entries.values().next().value;
    let victim: CacheEntry | undefined;
    for (const entry of this.#entries.values()) {
      if (victim === undefined || entry.priority < victim.priority) victim = entry;
    }
    return victim;
  }

  #remove(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= entry.size;
    return true;
  }
}
