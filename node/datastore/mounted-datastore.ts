import { BaseDatastore } from "datastore-core/base";
import { type Batch, type Datastore, Key, type KeyQuery, type Pair, type Query } from "interface-datastore";
import { UnmountedKeyError } from "../errors.ts";
import { plainBytes } from "./plain-bytes.ts";

interface Mounted {
  /** The mountpoint, cleaned (`/blocks`, `/`). */
  prefix: string;
  store: Datastore;
}

/**
 * Stores mounted by key prefix, as kubo's mount datastore: a key goes to the store with the
 * longest mountpoint that is the key or one of its ancestors (whatever order the spec lists
 * them in), which sees it with that prefix taken off (`/blocks/CIQ...` is `/CIQ...` to the
 * store at `/blocks`). A key under no mountpoint is refused, not dropped. Queries run in every
 * store that can hold keys under their prefix; batches commit per store.
 */
export class MountedDatastore extends BaseDatastore {
  readonly #mounts: Mounted[];

  constructor(mounts: readonly { mountpoint: string; store: Datastore }[]) {
    super();
    this.#mounts = mounts
      .map((mount) => ({ prefix: new Key(mount.mountpoint).toString(), store: mount.store }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The mountpoints, longest first (the order keys are matched in). */
  get mountpoints(): string[] {
    return this.#mounts.map((mount) => mount.prefix);
  }

  override async put(key: Key, value: Uint8Array, options?: { signal?: AbortSignal }): Promise<Key> {
    const { mount, inner } = this.#route(key);
    await mount.store.put(inner, value, options);
    return key;
  }

  override async get(key: Key, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    const { mount, inner } = this.#route(key);
    return plainBytes(await mount.store.get(inner, options));
  }

  override async has(key: Key, options?: { signal?: AbortSignal }): Promise<boolean> {
    const { mount, inner } = this.#route(key);
    return mount.store.has(inner, options);
  }

  override async delete(key: Key, options?: { signal?: AbortSignal }): Promise<void> {
    const { mount, inner } = this.#route(key);
    await mount.store.delete(inner, options);
  }

  override batch(): Batch {
    const batches = new Map<Mounted, Batch>();
    const batchOf = (key: Key) => {
      const { mount, inner } = this.#route(key);
      let batch = batches.get(mount);
      if (!batch) {
        batch = mount.store.batch();
        batches.set(mount, batch);
      }
      return { batch, inner };
    };
    return {
      put(key, value) {
        const { batch, inner } = batchOf(key);
        batch.put(inner, value);
      },
      delete(key) {
        const { batch, inner } = batchOf(key);
        batch.delete(inner);
      },
      commit: async (options) => {
        await Promise.all([...batches.values()].map((batch) => batch.commit(options)));
      },
    };
  }

  override async *_all(query: Query, options?: { signal?: AbortSignal }): AsyncGenerator<Pair> {
    for (const { mount, prefix } of this.#mountsUnder(query.prefix)) {
      for await (const { key, value } of mount.store.query(prefix === undefined ? {} : { prefix }, options)) {
        const outer = this.#outer(mount, key);
        if (outer) yield { key: outer, value: plainBytes(value) };
      }
    }
  }

  override async *_allKeys(query: KeyQuery, options?: { signal?: AbortSignal }): AsyncGenerator<Key> {
    for (const { mount, prefix } of this.#mountsUnder(query.prefix)) {
      for await (const key of mount.store.queryKeys(prefix === undefined ? {} : { prefix }, options)) {
        const outer = this.#outer(mount, key);
        if (outer) yield outer;
      }
    }
  }

  #route(key: Key): { mount: Mounted; inner: Key } {
    const text = key.toString();
    for (const mount of this.#mounts) {
      if (mount.prefix === "/") return { mount, inner: key };
      if (text === mount.prefix) return { mount, inner: new Key("/") };
      if (text.startsWith(`${mount.prefix}/`))
        return { mount, inner: new Key(text.slice(mount.prefix.length)) };
    }
    throw new UnmountedKeyError(text, this.mountpoints);
  }

  /** The store's key as the mount's users see it; none if a longer mountpoint shadows it. */
  #outer(mount: Mounted, inner: Key): Key | undefined {
    const key = mount.prefix === "/" ? inner : new Key(`${mount.prefix}${inner.toString()}`);
    return this.#route(key).mount === mount ? key : undefined;
  }

  /** The mounts that can hold keys starting with `prefix`, and the prefix each sees. */
  #mountsUnder(prefix: string | undefined): { mount: Mounted; prefix: string | undefined }[] {
    return this.#mounts.flatMap((mount) => {
      if (prefix === undefined || mount.prefix === "/") return [{ mount, prefix }];
      // the mount lies under the prefix: all of it may match
      if (mount.prefix.startsWith(prefix)) return [{ mount, prefix: undefined }];
      // the prefix lies inside the mount: the store sees it without the mountpoint
      if (prefix.startsWith(`${mount.prefix}/`))
        return [{ mount, prefix: prefix.slice(mount.prefix.length) }];
      return [];
    });
  }
}
