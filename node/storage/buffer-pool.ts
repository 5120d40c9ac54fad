/**
 * Reusable buffers of one size (a UnixFS leaf block). A node streams gigabytes through a small
 * heap; a fresh buffer per block would leave each one for the garbage collector to find, and
 * resident memory would follow the collector's pace instead of the stream's. Buffers taken with
 * `acquire` go back with `release` (of the buffer or any view of it) once nothing reads them;
 * at most `keep` wait for reuse.
 */
export class BufferPool {
  readonly size: number;
  readonly #keep: number;
  readonly #free: Buffer[] = [];
  // buffers handed out, by their memory: a view of one finds it (weakly: one never released,
  // say by a write whose callback never came, is simply collected)
  readonly #out = new WeakMap<ArrayBufferLike, Buffer>();
  #outCount = 0;

  constructor(size: number, keep: number) {
    this.size = size;
    this.#keep = keep;
  }

  /** A buffer of `size` bytes, reused when one is free. Its contents are arbitrary. */
  acquire(): Buffer {
    const buffer = this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size);
    this.#out.set(buffer.buffer, buffer);
    this.#outCount += 1;
    return buffer;
  }

  /** Returns the pooled buffer `bytes` is (a view of); anything else is ignored. */
  release(bytes: Uint8Array): void {
    const buffer = this.#out.get(bytes.buffer);
    if (!buffer) return;
    this.#out.delete(bytes.buffer);
    this.#outCount -= 1;
    if (this.#free.length < this.#keep) this.#free.push(buffer);
  }

  /** Buffers handed out and not yet released, and buffers waiting for reuse. */
  stats(): { out: number; free: number } {
    return { out: this.#outCount, free: this.#free.length };
  }
}
