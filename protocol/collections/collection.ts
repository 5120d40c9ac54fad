import { Query } from "mingo";
import { update as applyUpdate } from "mingo/updater";
import type { CID } from "multiformats/cid";
import { InvalidDocumentError } from "./collection-errors.ts";
import { type Document, decodeDocument, documentBlock, withKey } from "./document-block.ts";
import { encodeIndexValue, prefixEnd, typeEnd } from "./index-keys.ts";
import type { CollectionMeta } from "./master.ts";
import { type Block, blockKey } from "./pack.ts";
import { compareBytes, getEntry, type LoadBlock, rangeEntries } from "./prolly-map.ts";

/** What a collection reads and writes through its database. */
export interface CollectionStore {
  load: LoadBlock;
  /** A new block (a document), kept until commit. */
  put(block: Block): void;
  /** The collection's committed metadata (undefined for a new collection). */
  committed(): CollectionMeta | undefined;
}

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
  projection?: Record<string, 0 | 1 | boolean>;
  /** "scan" reads every document even when an index could answer (to check an index against). */
  hint?: "scan";
}

const keyBytes = (key: string) => new TextEncoder().encode(key);
const keyText = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
/** Operators an index answers: equality, $in and ranges on scalars (null, $ne, $exists never). */
const RANGE = new Set(["$eq", "$in", "$gt", "$gte", "$lt", "$lte"]);

/**
 * A collection of documents keyed by `_id`. Writes stay in memory until the database commits;
 * reads see them. Filters, updates, sorts and projections are MongoDB's, evaluated by mingo; a
 * filter on an indexed field (equality, `$in`, ranges) reads only the index's matching range and
 * those documents.
 */
export class Collection {
  readonly name: string;
  readonly #store: CollectionStore;
  /** Every key and document CID, once a write needed them (then the collection is dirty). */
  #entries: Map<string, CID> | undefined;
  #indexes: Set<string>;
  #dirty = false;
  /** Documents written since the last commit, by CID: a commit indexes them without decoding. */
  readonly #written = new Map<string, Document>();

  constructor(name: string, store: CollectionStore) {
    this.name = name;
    this.#store = store;
    this.#indexes = new Set(Object.keys(store.committed()?.indexes ?? {}));
  }

  /** Whether there are writes since the last commit. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** The indexed field paths. */
  indexes(): string[] {
    return [...this.#indexes].sort();
  }

  /** Inserts documents; an `_id` already present is refused (nothing of the call is applied). */
  async insert(docs: Document | Document[]): Promise<string[]> {
    const list = Array.isArray(docs) ? docs : [docs];
    const entries = await this.#writable();
    const keyed: { key: string; block: Block; doc: Document }[] = [];
    const seen = new Set<string>();
    for (const doc of list) {
      const withId = await withKey(doc);
      if (entries.has(withId._id) || seen.has(withId._id)) {
        throw new InvalidDocumentError(`duplicate _id ${withId._id.slice(0, 100)} in ${this.name}`);
      }
      seen.add(withId._id);
      keyed.push({ key: withId._id, block: await documentBlock(withId), doc: withId });
    }
    for (const { key, block, doc } of keyed) {
      this.#store.put(block);
      this.#written.set(blockKey(block.cid), doc);
      entries.set(key, block.cid);
    }
    this.#dirty ||= keyed.length > 0;
    return keyed.map(({ key }) => key);
  }

  /** The document with `_id` `key`, or undefined. */
  async get(key: string): Promise<(Document & { _id: string }) | undefined> {
    const cid = this.#entries
      ? this.#entries.get(key)
      : await getEntry<CID>(this.#store.committed()?.root ?? undefined, keyBytes(key), this.#store.load);
    return cid ? decodeDocument(await this.#store.load(cid)) : undefined;
  }

  /** Documents matching `filter`, sorted, skipped, limited and projected as asked. */
  async find(filter: Record<string, unknown> = {}, options: FindOptions = {}): Promise<Document[]> {
    const query = new Query(filter, {});
    const candidates: Document[] = [];
    for await (const doc of this.#candidates(filter, options.hint)) if (query.test(doc)) candidates.push(doc);
    let cursor = new Query({}, {}).find<Document>(candidates, options.projection ?? {});
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return cursor.all() as Document[];
  }

  /** How `find(filter)` reads: through which index, or a scan. */
  plan(filter: Record<string, unknown>): { index: string | null } {
    return { index: this.#indexFor(filter)?.path ?? null };
  }

  async count(filter: Record<string, unknown> = {}): Promise<number> {
    if (Object.keys(filter).length === 0) {
      return this.#entries ? this.#entries.size : (this.#store.committed()?.count ?? 0);
    }
    return (await this.find(filter)).length;
  }

  /** Applies MongoDB update operators to every matching document; returns how many changed. */
  async update(filter: Record<string, unknown>, modifier: Record<string, unknown>): Promise<number> {
    if (Object.keys(modifier).some((op) => !op.startsWith("$"))) {
      throw new InvalidDocumentError("an update is update operators ($set, $inc, $push, …)");
    }
    const matched = await this.find(filter);
    const entries = await this.#writable();
    let changed = 0;
    const writes: { key: string; block: Block; doc: Document }[] = [];
    for (const doc of matched) {
      const copy = structuredClone(doc) as Document & { _id: string };
      let paths: string[];
      try {
        paths = applyUpdate(copy, modifier as never, undefined, undefined, { cloneMode: "deep" });
      } catch (error) {
        throw new InvalidDocumentError(`update: ${(error as Error).message}`);
      }
      if (paths.length === 0) continue;
      if (copy._id !== doc._id) throw new InvalidDocumentError("an update cannot change _id");
      writes.push({ key: copy._id, block: await documentBlock(copy), doc: copy });
    }
    for (const { key, block, doc } of writes) {
      this.#store.put(block);
      this.#written.set(blockKey(block.cid), doc);
      entries.set(key, block.cid);
      changed += 1;
    }
    this.#dirty ||= changed > 0;
    return changed;
  }

  /** Deletes every matching document; returns how many. */
  async delete(filter: Record<string, unknown>): Promise<number> {
    const matched = await this.find(filter, { projection: { _id: 1 } });
    const entries = await this.#writable();
    for (const doc of matched) entries.delete(doc._id as string);
    this.#dirty ||= matched.length > 0;
    return matched.length;
  }

  /** Declares a secondary index on a field path (built at the next commit). */
  async createIndex(path: string): Promise<void> {
    if (!/^[A-Za-z0-9_$][\w$-]*(\.[\w$-]+)*$/.test(path) || path === "_id") {
      throw new InvalidDocumentError(`not an indexable field path: ${path}`);
    }
    if (this.#indexes.has(path)) return;
    await this.#writable();
    this.#indexes.add(path);
    this.#dirty = true;
  }

  async dropIndex(path: string): Promise<boolean> {
    if (!this.#indexes.delete(path)) return false;
    await this.#writable();
    this.#dirty = true;
    return true;
  }

  /** Every key and document CID in key order (what a commit builds the maps from). */
  async snapshot(): Promise<{ entries: [string, CID][]; indexes: string[] }> {
    const entries = [...(await this.#writable()).entries()].sort(([a], [b]) =>
      compareBytes(keyBytes(a), keyBytes(b)),
    );
    return { entries, indexes: this.indexes() };
  }

  /** A document by CID: one written since the last commit as it was given, else decoded. */
  async document(cid: CID): Promise<Document> {
    return this.#written.get(blockKey(cid)) ?? decodeDocument(await this.#store.load(cid));
  }

  /** After a commit: reads go to the committed maps again. */
  committed(): void {
    this.#entries = undefined;
    this.#written.clear();
    this.#dirty = false;
    this.#indexes = new Set(Object.keys(this.#store.committed()?.indexes ?? {}));
  }

  async #writable(): Promise<Map<string, CID>> {
    if (this.#entries) return this.#entries;
    const entries = new Map<string, CID>();
    const root = this.#store.committed()?.root ?? undefined;
    for await (const [key, cid] of rangeEntries<CID>(root, {}, this.#store.load))
      entries.set(keyText(key), cid);
    this.#entries = entries;
    return entries;
  }

  async *#candidates(
    filter: Record<string, unknown>,
    hint?: "scan",
  ): AsyncGenerator<Document & { _id: string }> {
    const committed = this.#store.committed();
    const plan = hint === "scan" || this.#entries ? undefined : this.#indexFor(filter);
    if (!plan) {
      const source = this.#entries
        ? [...this.#entries.values()]
        : rangeEntries<CID>(committed?.root ?? undefined, {}, this.#store.load);
      for await (const item of source as AsyncIterable<CID | [Uint8Array, CID]> | Iterable<CID>) {
        const cid = Array.isArray(item) ? item[1] : item;
        yield decodeDocument(await this.#store.load(cid));
      }
      return;
    }
    const seen = new Set<string>();
    const root = committed?.indexes[plan.path] ?? undefined;
    for (const range of plan.ranges) {
      for await (const [, key] of rangeEntries<string>(root, range, this.#store.load)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const doc = await this.get(key);
        if (doc) yield doc;
      }
    }
  }

  /** The committed index that answers `filter`, and the key ranges to read from it. */
  #indexFor(
    filter: Record<string, unknown>,
  ): { path: string; ranges: { start?: Uint8Array; end?: Uint8Array }[] } | undefined {
    const committed = this.#store.committed();
    if (!committed) return undefined;
    for (const [path, condition] of Object.entries(filter)) {
      if (path.startsWith("$") || !(path in committed.indexes)) continue;
      const ranges = rangesOf(condition);
      if (ranges) return { path, ranges };
    }
    return undefined;
  }
}

/** Key ranges of an index that hold every document `condition` can match, or undefined. */
function rangesOf(condition: unknown): { start?: Uint8Array; end?: Uint8Array }[] | undefined {
  const exact = (value: unknown) => {
    const encoded = value === null ? undefined : encodeIndexValue(value);
    if (!encoded) return undefined;
    const end = prefixEnd(encoded);
    return end ? { start: encoded, end } : { start: encoded };
  };
  if (condition === null || typeof condition !== "object" || Array.isArray(condition)) {
    const range = exact(condition);
    return range ? [range] : undefined;
  }
  const ops = condition as Record<string, unknown>;
  const keys = Object.keys(ops);
  if (keys.length === 0 || !keys.every((k) => RANGE.has(k))) return undefined;
  if ("$eq" in ops) {
    const range = exact(ops.$eq);
    return range ? [range] : undefined;
  }
  if ("$in" in ops) {
    if (!Array.isArray(ops.$in) || keys.length > 1) return undefined;
    const ranges = ops.$in.map(exact);
    return ranges.every((r) => r !== undefined)
      ? (ranges as { start: Uint8Array; end?: Uint8Array }[])
      : undefined;
  }
  let start: Uint8Array | undefined;
  let end: Uint8Array | undefined;
  let type: number | undefined;
  for (const [op, value] of Object.entries(ops)) {
    if (value === null) return undefined;
    const encoded = encodeIndexValue(value);
    if (!encoded) return undefined;
    if (type !== undefined && type !== encoded[0]) return [];
    type = encoded[0];
    if (op === "$gt") start = prefixEnd(encoded);
    if (op === "$gte") start = encoded;
    if (op === "$lt") end = encoded;
    if (op === "$lte") end = prefixEnd(encoded);
  }
  if (type === undefined) return undefined;
  // an array matches a lower and an upper bound with two different elements ([1, 20] is both
  // > 5 and < 10): with both, only the lower bound narrows the read (as MongoDB's multikey plans)
  if (start) end = undefined;
  // a range stays within its type, as MongoDB compares
  start ??= Uint8Array.of(type);
  end ??= typeEnd(Uint8Array.of(type));
  return [{ start, end }];
}
