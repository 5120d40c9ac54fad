/**
 * Hands every step of one producer (a stripe's parts, one per holder) to n consumers, each an
 * async iterable of its own part, copied: the producer's buffers may be reused at once. The
 * producer waits while a live consumer has `depth` parts queued, so memory stays bounded by the
 * slowest one. A consumer that stops early is dropped (the others go on); once every consumer
 * is dropped, the producer's next push throws.
 */
export class ShardFanout {
  readonly #queues: Uint8Array[][];
  readonly #waiters: ((() => void) | undefined)[];
  readonly #dropped = new Set<number>();
  readonly #depth: number;
  #producerWaiting: (() => void) | undefined;
  #ended = false;

  constructor(consumers: number, depth = 2) {
    this.#queues = Array.from({ length: consumers }, () => []);
    this.#waiters = new Array(consumers);
    this.#depth = depth;
  }

  /** Queues a copy of `parts[i]` for each live consumer i; resolves once they all have room. */
  async push(parts: readonly Uint8Array[]): Promise<void> {
    this.#checkLive();
    parts.forEach((part, i) => {
      if (this.#dropped.has(i)) return;
      this.#queues[i]?.push(Uint8Array.from(part));
      this.#wake(i);
    });
    while (this.#queues.some((queue, i) => !this.#dropped.has(i) && queue.length >= this.#depth)) {
      await new Promise<void>((resolve) => {
        this.#producerWaiting = resolve;
      });
    }
    this.#checkLive();
  }

  /** No more parts: each consumer ends after its queue drains. */
  end(): void {
    this.#ended = true;
    for (let i = 0; i < this.#waiters.length; i += 1) this.#wake(i);
  }

  /** Consumer `index`'s parts, in order. */
  async *consumer(index: number): AsyncGenerator<Uint8Array> {
    const queue = this.#queues[index] as Uint8Array[];
    let done = false;
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          this.#producerWaiting?.();
          yield next;
          continue;
        }
        if (this.#ended) {
          done = true;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#waiters[index] = resolve;
        });
      }
    } finally {
      if (!done) {
        this.#dropped.add(index);
        queue.length = 0;
        this.#producerWaiting?.();
      }
    }
  }

  #checkLive(): void {
    if (this.#dropped.size === this.#queues.length) throw new Error("every shard consumer stopped");
  }

  #wake(index: number): void {
    const waiter = this.#waiters[index];
    this.#waiters[index] = undefined;
    waiter?.();
  }
}
