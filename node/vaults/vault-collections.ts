import { Query } from "mingo";
import {
  type Block,
  buildCollection,
  Collection,
  type CollectionMeta,
  type Document,
  type FindOptions,
  InvalidDocumentError,
  withKey,
} from "#protocol";
import type { VaultDbBody, VaultDbOp } from "../../api/vaults/index.ts";
import { DbRefusedError, NotFoundError } from "../errors.ts";
import type { VaultStore } from "./vault-store.ts";

/** A write as the journal keeps it: enough to apply it again, the same way, after a restart. */
type JournalOp =
  | { op: "insert"; docs: Document[] }
  | { op: "update"; filter: Record<string, unknown>; update: Record<string, unknown> }
  | { op: "delete"; filter: Record<string, unknown> }
  | { op: "index" | "drop-index"; path: string };

/** Writes the journal holds before they are built into the collections' maps. */
const BUILD_AFTER_OPS = 64;

/**
 * A vault's collections, served by the node with the collections engine (protocol/collections):
 * documents in content-addressed maps, MongoDB filters, updates, sorts and projections, indexes.
 * A write is applied, its new document blocks and the write itself are committed to the vault's
 * SQLite file in one transaction, and only then answered; the journal of writes is built into
 * the maps every few dozen writes and before a snapshot, and replayed after a restart.
 */
export class VaultCollections {
  readonly #store: VaultStore;
  readonly #open = new Map<string, Collection>();
  #metas: Record<string, CollectionMeta>;
  #pending: Block[] = [];
  #journaled = 0;

  constructor(store: VaultStore) {
    this.#store = store;
    this.#metas = store.collectionMetas();
    this.#journaled = store.journal().length;
  }

  /** Collection names: built and journaled. */
  names(): string[] {
    const journaled = this.#store.journal().map((entry) => entry.collection);
    return [...new Set([...Object.keys(this.#metas), ...this.#open.keys(), ...journaled])].sort();
  }

  async describe(): Promise<{ name: string; count: number; indexes: string[] }[]> {
    const out = [];
    for (const name of this.names()) {
      const collection = await this.#collection(name);
      out.push({ name, count: await collection.count(), indexes: collection.indexes() });
    }
    return out;
  }

  /** Runs one operation on `name`; a write is durable when this resolves. */
  async run(name: string, op: VaultDbOp, body: VaultDbBody): Promise<Record<string, unknown>> {
    try {
      return await this.#run(name, op, body);
    } catch (error) {
      // what the engine refuses (a duplicate _id, an unknown operator) is the caller's error
      if (error instanceof InvalidDocumentError) {
        throw new DbRefusedError((error as Error).message);
      }
      throw error;
    }
  }

  async #run(name: string, op: VaultDbOp, body: VaultDbBody): Promise<Record<string, unknown>> {
    const collection = await this.#collection(name);
    const filter = checkedFilter(body.filter ?? {});
    switch (op) {
      case "find": {
        const options: FindOptions = {};
        if (body.sort) options.sort = body.sort;
        if (body.skip !== undefined) options.skip = body.skip;
        if (body.limit !== undefined) options.limit = body.limit;
        if (body.projection) options.projection = body.projection as FindOptions["projection"] & {};
        return { docs: await collection.find(filter, options) };
      }
      case "count":
        return { count: await collection.count(filter) };
      case "insert": {
        const docs = await Promise.all((body.docs ?? []).map((doc) => withKey(doc)));
        const ids = await this.#write(name, { op, docs }, () => collection.insert(docs));
        return { ids };
      }
      case "update": {
        const update = body.update ?? {};
        const changed = await this.#write(name, { op, filter, update }, () =>
          collection.update(filter, update),
        );
        return { changed };
      }
      case "delete": {
        const deleted = await this.#write(name, { op, filter }, () => collection.delete(filter));
        return { deleted };
      }
      case "index":
      case "drop-index": {
        const path = body.path ?? "";
        await this.#write(name, { op, path }, async () => {
          if (op === "index") await collection.createIndex(path);
          else await collection.dropIndex(path);
        });
        return { indexes: collection.indexes() };
      }
    }
  }

  /**
   * Builds every journaled write into the maps (new roots, new blocks) and empties the journal,
   * in one transaction; returns every collection's metadata as built.
   */
  async build(): Promise<Record<string, CollectionMeta>> {
    if (this.#journaled > 0) {
      const metas = { ...this.#metas };
      const blocks: Block[] = [];
      for (const name of this.names()) {
        const collection = await this.#collection(name);
        if (!collection.dirty) continue;
        const { entries, indexes } = await collection.snapshot();
        const built = await buildCollection(entries, indexes, (cid) => collection.document(cid));
        blocks.push(...built.blocks);
        metas[name] = built.meta;
      }
      this.#store.db.transaction(() => {
        this.#store.putBlocks(blocks);
        for (const [name, meta] of Object.entries(metas)) this.#store.setCollectionMeta(name, meta);
        this.#store.clearJournal();
      })();
      this.#metas = metas;
      this.#journaled = 0;
      for (const collection of this.#open.values()) collection.committed();
    }
    return this.#metas;
  }

  async #write<T>(name: string, entry: JournalOp, apply: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await apply();
      this.#store.db.transaction(() => {
        this.#store.putBlocks(this.#pending);
        this.#store.appendJournal(name, entry);
      })();
    } catch (error) {
      // what the engine applied in memory is not on disk: read it again from there
      this.#open.delete(name);
      throw error;
    } finally {
      this.#pending = [];
    }
    this.#journaled += 1;
    if (this.#journaled >= BUILD_AFTER_OPS) await this.build();
    return result;
  }

  async #collection(name: string): Promise<Collection> {
    const open = this.#open.get(name);
    if (open) return open;
    const collection = new Collection(name, {
      load: async (cid) => {
        const bytes = this.#store.block(cid) ?? this.#pending.find((block) => block.cid.equals(cid))?.bytes;
        if (!bytes) throw new NotFoundError(`block ${cid} of collection ${name}`);
        return bytes;
      },
      put: (block) => this.#pending.push(block),
      committed: () => this.#metas[name],
    });
    // the writes since the last build, again: their blocks are on disk already
    for (const entry of this.#store.journal()) {
      if (entry.collection !== name) continue;
      const op = JSON.parse(entry.op) as JournalOp;
      if (op.op === "insert") await collection.insert(op.docs);
      else if (op.op === "update") await collection.update(op.filter, op.update);
      else if (op.op === "delete") await collection.delete(op.filter);
      else if (op.op === "index") await collection.createIndex(op.path);
      else await collection.dropIndex(op.path);
    }
    this.#pending = [];
    this.#open.set(name, collection);
    return collection;
  }
}

/** The filter, once mingo accepts it (an unknown operator is the caller's error, a 400). */
function checkedFilter(filter: Record<string, unknown>): Record<string, unknown> {
  try {
    new Query(filter, {});
  } catch (error) {
    throw new DbRefusedError(`filter: ${(error as Error).message}`);
  }
  return filter;
}
