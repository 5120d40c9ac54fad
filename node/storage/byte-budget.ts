import { CHUNK_SIZE, MAX_LINKS } from "#protocol";
import { StorageFullError } from "../errors.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { DiskUse } from "./disk-use.ts";

/** An upload's claim on the disk, shrinking as its blocks are written (they count as used then). */
export interface Reservation {
  /** `bytes` of the upload reached the disk. */
  wrote(bytes: number): void;
  /** Gives back what is left (the upload ended, stored or not). */
  release(): void;
}

/** Datastore room an upload's records and pin take, beyond its blocks. */
const RECORD_ALLOWANCE = 16 * 1024;

/**
 * The node's byte budget (StorageMax) over what fills the disk: the data directory as `du`
 * counts it (blocks, datastore, shards, vaults, directories), plus what uploads in progress have
 * yet to write. An upload is refused before its first byte is written if its blocks (each
 * rounded up to the file system's block size), their inodes and their records would not fit
 * under StorageMax or in what the file system has left. It also keeps the logical count of
 * held blob bytes that `/stats` shows.
 */
export class ByteBudget {
  readonly #cachedBytes: () => number;
  readonly #metrics: Pick<NodeMetrics, "uploadsRefused">;
  readonly #max: number;
  readonly #disk: Pick<DiskUse, "usedBytes" | "filesystem">;
  #held = 0;
  #reservedBytes = 0;
  #reservedDisk = 0;

  constructor(deps: {
    /** Bytes of hot-cache copies. */
    cachedBytes: () => number;
    metrics: Pick<NodeMetrics, "uploadsRefused">;
    /** StorageMax. */
    max: number;
    disk: Pick<DiskUse, "usedBytes" | "filesystem">;
  }) {
    this.#cachedBytes = deps.cachedBytes;
    this.#metrics = deps.metrics;
    this.#max = deps.max;
    this.#disk = deps.disk;
  }

  /**
   * `held`: bytes of held blobs and of uploads in progress; `cached`: bytes of hot-cache copies;
   * `used`: bytes on disk; `reserved`: disk bytes uploads in progress have yet to write.
   */
  usage(): { held: number; cached: number; max: number; used: number; reserved: number } {
    return {
      held: this.#held + this.#reservedBytes,
      cached: this.#cachedBytes(),
      max: this.#max,
      used: this.#disk.usedBytes(),
      reserved: this.#reservedDisk,
    };
  }

  /** What `bytes` of content take on disk once stored: blocks rounded to `blockSize`, and inodes. */
  costOf(bytes: number): { bytes: number; inodes: number } {
    const { blockSize } = this.#disk.filesystem();
    const leaves = Math.max(1, Math.ceil(bytes / CHUNK_SIZE));
    let blocks = leaves;
    for (let level = leaves; level > 1; level = Math.ceil(level / MAX_LINKS))
      blocks += Math.ceil(level / MAX_LINKS);
    return { bytes: bytes + blocks * blockSize + RECORD_ALLOWANCE, inodes: blocks };
  }

  /**
   * Refuses (507) `bytes` more content when its blocks would take the disk past StorageMax, or
   * past what the file system has left in bytes or inodes.
   */
  checkRoom(bytes: number): void {
    const cost = this.costOf(bytes);
    const used = this.#disk.usedBytes() + this.#reservedDisk;
    const { freeBytes, freeInodes } = this.#disk.filesystem();
    const room = Math.min(this.#max - used, freeBytes - this.#reservedDisk);
    if (cost.bytes > room || cost.inodes > freeInodes) {
      this.#metrics.uploadsRefused += 1;
      throw new StorageFullError(bytes, Math.max(0, room), cost.inodes > freeInodes ? freeInodes : undefined);
    }
  }

  /** Sets the disk room of `bytes` of content aside for an upload in progress. */
  reserve(bytes: number): Reservation {
    let left = this.costOf(bytes).bytes;
    this.#reservedBytes += bytes;
    this.#reservedDisk += left;
    let released = false;
    return {
      wrote: (written) => {
        const spent = Math.min(left, written);
        left -= spent;
        this.#reservedDisk -= spent;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#reservedBytes -= bytes;
        this.#reservedDisk -= left;
        left = 0;
      },
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
