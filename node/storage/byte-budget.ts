import { StorageFullError } from "../errors.ts";
import type { NodeMetrics } from "../metrics.ts";

/**
 * The node's byte budget (StorageMax), shared by held blobs, shards and hot-cache copies: bytes
 * held, bytes uploads in progress reserve, and the room check that refuses an upload.
 */
export class ByteBudget {
  readonly #cachedBytes: () => number;
  readonly #metrics: Pick<NodeMetrics, "uploadsRefused">;
  readonly #max: number;
  #held = 0;
  #reserved = 0;

  constructor(deps: {
    /** Bytes of hot-cache copies. */
    cachedBytes: () => number;
    metrics: Pick<NodeMetrics, "uploadsRefused">;
    /** StorageMax. */
    max: number;
  }) {
    this.#cachedBytes = deps.cachedBytes;
    this.#metrics = deps.metrics;
    this.#max = deps.max;
  }

  /** Bytes of held blobs and of cached copies; uploads in progress are reserved in `held`. */
  usage(): { held: number; cached: number; max: number } {
    return { held: this.#held + this.#reserved, cached: this.#cachedBytes(), max: this.#max };
  }

  /** Refuses `bytes` more (an upload refused) when they would not fit beside what is held and cached. */
  checkRoom(bytes: number): void {
    const { held, cached, max } = this.usage();
    if (held + cached + bytes > max) {
      this.#metrics.uploadsRefused += 1;
      throw new StorageFullError(bytes, Math.max(0, max - held - cached));
    }
  }

  /** Sets `bytes` aside for an upload in progress; the function returned gives them back. */
  reserve(bytes: number): () => void {
    this.#reserved += bytes;
    return () => {
      this.#reserved -= bytes;
    };
  }

  /** Counts `bytes` more held. */
  hold(bytes: number): void {
    this.#held += bytes;
  }

  /** Counts `bytes` no longer held. */
  free(bytes: number): void {
    this.#held -= bytes;
  }

  /** Forgets what is held (before counting the records again). */
  reset(): void {
    this.#held = 0;
  }
}
