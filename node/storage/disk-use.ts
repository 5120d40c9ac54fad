import { statfs } from "node:fs/promises";
import { resolve } from "node:path";
import { type DiskUsage, measureDirectory } from "../datastore/disk-usage.ts";
import type { OpenedStore } from "../datastore/open-datastore.ts";

/** A store's share of the disk, as `/stats` shows it. */
export interface MountUse extends DiskUsage {
  mountpoint: string;
  type: string;
  /** Values held (blocks, at `/blocks`), where the store counts them. */
  entries: number | null;
}

export interface DiskUseSnapshot {
  /** Bytes the data directory and every store outside it take, as `du` counts them. */
  usedBytes: number;
  files: number;
  dirs: number;
  mounts: MountUse[];
  /** What the file system holding the data directory has left. */
  filesystem: { blockSize: number; freeBytes: number; freeInodes: number };
}

/**
 * What the node's data takes on disk: flat-file stores count their own files as they write
 * and delete them; the rest of the data directory (LevelDB, shards, vaults) is walked, at most
 * every `refresh` call. Admission adds up the two, so a full disk is seen whatever filled it.
 */
export class DiskUse {
  readonly #dataDir: string;
  readonly #mounts: readonly OpenedStore[];
  #rest: DiskUsage = { bytes: 0, files: 0, dirs: 0 };
  #filesystem = { blockSize: 4096, freeBytes: Number.MAX_SAFE_INTEGER, freeInodes: Number.MAX_SAFE_INTEGER };
  #walked: Promise<void> | undefined;

  constructor(deps: { dataDir: string; mounts: readonly OpenedStore[] }) {
    this.#dataDir = resolve(deps.dataDir);
    this.#mounts = deps.mounts;
  }

  /** Bytes in use now: the tracked stores as they are, the rest as last walked. */
  usedBytes(): number {
    return this.#tracked().reduce((sum, store) => sum + store.usage.bytes, 0) + this.#rest.bytes;
  }

  /** Bytes the counting stores' deletes gave back since they opened. */
  freedBytes(): number {
    return this.#mounts.reduce((sum, store) => sum + (store.freedBytes?.() ?? 0), 0);
  }

  /** The file system's block size and what it has left, as last read. */
  filesystem(): DiskUseSnapshot["filesystem"] {
    return { ...this.#filesystem };
  }

  /** Walks what is not tracked and reads the file system's free space; concurrent calls share one walk. */
  refresh(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#walked ??= (async () => {
      const tracked = new Set(this.#tracked().map((store) => store.path));
      const [rest, fs] = await Promise.all([
        measureDirectory(this.#dataDir, { signal: options.signal, exclude: tracked }),
        statfs(this.#dataDir),
      ]);
      this.#rest = rest;
      this.#filesystem = { blockSize: fs.bsize, freeBytes: fs.bavail * fs.bsize, freeInodes: fs.ffree };
    })().finally(() => {
      this.#walked = undefined;
    });
    return this.#walked;
  }

  /** Every store's use, walked now for the untracked ones, and the total. */
  async snapshot(options: { signal?: AbortSignal } = {}): Promise<DiskUseSnapshot> {
    await this.refresh(options);
    const mounts = await Promise.all(
      this.#mounts.map(async (store) => ({
        mountpoint: store.mountpoint,
        type: store.type,
        ...(await store.usage(options)),
        entries: store.entries?.() ?? null,
      })),
    );
    const tracked = this.#tracked();
    const inside = (path: string | undefined) =>
      path !== undefined && `${resolve(path)}/`.startsWith(`${this.#dataDir}/`);
    const total = { bytes: this.#rest.bytes, files: this.#rest.files, dirs: this.#rest.dirs };
    for (const store of tracked) {
      total.bytes += store.usage.bytes;
      total.files += store.usage.files;
      total.dirs += store.usage.dirs;
    }
    // untracked stores outside the data directory are not in its walk
    for (const [index, mount] of mounts.entries()) {
      const store = this.#mounts[index];
      if (store?.type === "levelds" && !inside(store.path)) {
        total.bytes += mount.bytes;
        total.files += mount.files;
        total.dirs += mount.dirs;
      }
    }
    return {
      usedBytes: total.bytes,
      files: total.files,
      dirs: total.dirs,
      mounts,
      filesystem: this.filesystem(),
    };
  }

  /** Stores that keep their own count (flat-file), with their counts now. */
  #tracked(): { path: string; usage: DiskUsage }[] {
    return this.#mounts.flatMap((store) =>
      store.counted && store.path ? [{ path: resolve(store.path), usage: store.counted() }] : [],
    );
  }
}
