import type { Blockstore } from "interface-blockstore";
import { base32 } from "multiformats/bases/base32";
import type { CID } from "multiformats/cid";

/** The blockstore calls an import makes (what `importBlob` takes). */
export type ImportBlockstore = Pick<Blockstore, "put" | "has" | "delete">;

/** One import's holds on the blocks it writes, given back together. */
export interface PendingSession {
  /** Holds `cid` until `close` (waits first for a delete of it already under way). */
  hold(cid: CID): Promise<void>;
  /** Gives back the hold on `cid` and deletes the block unless another import holds it. */
  discard(cid: CID, remove: () => Promise<void>): Promise<boolean>;
  /** Gives back every hold of this session. */
  close(): void;
}

/** Blocks are named by their multihash (as the blockstore and the pins name them), not their CID. */
const keyOf = (cid: CID) => base32.encode(cid.multihash.bytes);

/**
 * Blocks that uploads in progress have written, or are writing, and have not pinned yet: garbage
 * collection and releases leave them alone, so they can run while uploads are open. A block is
 * held from just before it is written until its import pins it or gives up; a delete and a new
 * hold of the same block never overlap (the hold waits for the delete to finish, and a delete
 * checks the holds synchronously just before it starts).
 */
export class PendingBlocks {
  readonly #holds = new Map<string, number>();
  readonly #deleting = new Map<string, Promise<void>>();

  /** Whether an import in progress holds `cid`. */
  has(cid: CID): boolean {
    return this.#holds.has(keyOf(cid));
  }

  /** How many distinct blocks are held. */
  get size(): number {
    return this.#holds.size;
  }

  /** Deletes `cid` with `remove` unless an import holds it; resolves whether it did. */
  async deleteUnheld(cid: CID, remove: () => Promise<void>): Promise<boolean> {
    const key = keyOf(cid);
    if (this.#holds.has(key)) return false;
    const deleting = remove();
    this.#deleting.set(key, deleting);
    try {
      await deleting;
    } finally {
      if (this.#deleting.get(key) === deleting) this.#deleting.delete(key);
    }
    return true;
  }

  /** A new import's set of holds. */
  session(): PendingSession {
    const keys = new Set<string>();
    return {
      hold: async (cid) => {
        const key = keyOf(cid);
        if (!keys.has(key)) {
          keys.add(key);
          this.#holds.set(key, (this.#holds.get(key) ?? 0) + 1);
        }
        await this.#deleting.get(key)?.catch(() => undefined);
      },
      discard: (cid, remove) => {
        const key = keyOf(cid);
        if (keys.delete(key)) this.#release(key);
        return this.deleteUnheld(cid, remove);
      },
      close: () => {
        for (const key of keys) this.#release(key);
        keys.clear();
      },
    };
  }

  #release(key: string): void {
    const count = (this.#holds.get(key) ?? 1) - 1;
    if (count > 0) this.#holds.set(key, count);
    else this.#holds.delete(key);
  }
}

/**
 * `blockstore` as an import of `session` uses it: every block is held before it is written, and a
 * rollback's deletes go through the holds (a block another import also wrote stays).
 */
export function guardedBlockstore(blockstore: ImportBlockstore, session: PendingSession): ImportBlockstore {
  return {
    has: (cid, options) => blockstore.has(cid, options),
    put: async (cid, bytes, options) => {
      await session.hold(cid);
      return blockstore.put(cid, bytes, options);
    },
    delete: async (cid, options) => {
      await session.discard(cid, async () => {
        await blockstore.delete(cid, options);
      });
    },
  };
}
