/** Hashes per key, as kubo's bloom filter uses (BloomFilterSize is in bytes, k = 7). */
export const BLOOM_HASHES = 7;

/**
 * A bloom filter over byte keys: `has` is false only for keys never added, and true for a key
 * never added with a probability of about `fillRatio ^ hashes`. Keys are hashed twice (FNV-1a,
 * two seeds) and the `hashes` bit positions derived from the pair (Kirsch-Mitzenmacher).
 */
export class BloomFilter {
  readonly bits: Uint8Array;
  readonly hashes: number;
  readonly #size: number;
  #set = 0;

  constructor(bytes: number, hashes = BLOOM_HASHES) {
    if (!Number.isInteger(bytes) || bytes < 1)
      throw new RangeError(`a bloom filter needs at least one byte, not ${bytes}`);
    this.bits = new Uint8Array(bytes);
    this.hashes = hashes;
    this.#size = bytes * 8;
  }

  add(key: Uint8Array): void {
    const [first, second] = hashPair(key);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (first + Math.imul(i, second)) >>> 0;
      const index = bit % this.#size;
      const mask = 1 << (index & 7);
      const byte = index >>> 3;
      const current = this.bits[byte] as number;
      if ((current & mask) === 0) {
        this.bits[byte] = current | mask;
        this.#set += 1;
      }
    }
  }

  has(key: Uint8Array): boolean {
    const [first, second] = hashPair(key);
    for (let i = 0; i < this.hashes; i++) {
      const index = ((first + Math.imul(i, second)) >>> 0) % this.#size;
      if (((this.bits[index >>> 3] as number) & (1 << (index & 7))) === 0) return false;
    }
    return true;
  }

  /** The share of bits set. */
  get fillRatio(): number {
    return this.#set / this.#size;
  }

  /** The chance that `has` answers true for a key never added, estimated from the fill ratio. */
  get falsePositiveRate(): number {
    return this.fillRatio ** this.hashes;
  }
}

function hashPair(key: Uint8Array): [number, number] {
  let first = 0x811c9dc5;
  let second = 0x050c5d1f;
  for (const byte of key) {
    first = Math.imul(first ^ byte, 0x01000193);
    second = Math.imul(second ^ byte, 0x01000193);
  }
  // an odd step visits distinct bits for every hash
  return [first >>> 0, (second | 1) >>> 0];
}
