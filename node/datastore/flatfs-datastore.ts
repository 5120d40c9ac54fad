import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Shard, shard } from "datastore-core";
import { BaseDatastore } from "datastore-core/base";
import { Key, type KeyQuery, type Pair, type Query } from "interface-datastore";
import { DeleteFailedError, NotFoundError, PutFailedError } from "interface-store";
import { base32 } from "multiformats/bases/base32";
import { ShardFunctionMismatchError } from "../errors.ts";
import { allocatedBytes, type DiskUsage, measureDirectory } from "./disk-usage.ts";
import { plainBytes } from "./plain-bytes.ts";

/** The file naming the store's shard function, as go-ds-flatfs writes it. */
export const SHARDING_FILE = "SHARDING";
const README_FILE = "_README";
/** The usage counted at the last clean close; absent after a crash, so the store is walked again. */
const USAGE_FILE = "diskUsage.cache";
const EXTENSION = ".data";
/** Puts and deletes in a shard directory between two counts of its own size. */
const DIR_RECOUNT_EVERY = 16;
/** Keys kubo writes (a block's base32 multihash) are file names as they are. */
const PLAIN_NAME = /^[0-9A-Z+\-_=]+$/;

/**
 * A flat-file datastore in go-ds-flatfs's layout: the value of `/<NAME>` is the file
 * `<dir>/<shard>/<NAME>.data`, where `<shard>` is what the shard function (written once into
 * `SHARDING`) makes of the name. A kubo block store opens as it is. Keys kubo never writes
 * (lower case, nested) are stored under `~` and their base32 name, so any key can be kept.
 *
 * Writes go to a temporary file renamed into place (a reader never sees half a value); with
 * `sync` the file and its directory are fsync'ed first. The store keeps count of the bytes
 * allocated to it and of its files and directories, as `du` would find them.
 */
export class FlatfsDatastore extends BaseDatastore {
  readonly path: string;
  readonly shardFunc: string;
  readonly #shard: Shard;
  readonly #sync: boolean;
  /**
   * Each shard directory made or found, with the bytes allocated to it as last counted: a
   * directory takes more blocks as it fills, and `du` counts them.
   */
  readonly #dirs = new Map<string, Promise<ShardDir>>();
  #dirStats = 0;
  /** Writes and deletes under way, by file: a second one of the same file waits for the first. */
  readonly #busy = new Map<string, Promise<unknown>>();
  #usage: DiskUsage = { bytes: 0, files: 0, dirs: 0 };
  #entries = 0;
  #freedBytes = 0;
  #temporary = 0;

  constructor(path: string, options: { shardFunc: string; sync?: boolean | undefined }) {
    super();
    this.path = path;
    this.shardFunc = options.shardFunc;
    this.#shard = shard.parseShardFun(options.shardFunc);
    this.#sync = options.sync ?? false;
  }

  /**
   * Creates the store, or opens it if its `SHARDING` names the same function (refused otherwise:
   * its files would not be found), drops what interrupted writes left, and counts its usage.
   */
  async open(options: { signal?: AbortSignal } = {}): Promise<void> {
    await mkdir(this.path, { recursive: true });
    const onDisk = await readFile(join(this.path, SHARDING_FILE), "utf8").then(
      (text) => text.trim(),
      () => undefined,
    );
    if (onDisk !== undefined && onDisk !== this.shardFunc) {
      throw new ShardFunctionMismatchError(this.path, onDisk, this.shardFunc);
    }
    if (onDisk === undefined) await writeShardingFiles(this.path, this.shardFunc);
    let changedSince = 0;
    for (const entry of await readdir(this.path, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(this.path, entry.name);
      const dirStats = await lstat(dir);
      changedSince = Math.max(changedSince, dirStats.mtimeMs);
      this.#dirs.set(entry.name, Promise.resolve({ bytes: allocatedBytes(dirStats), stat: 0, changes: 0 }));
      for (const file of await readdir(dir)) {
        if (file.startsWith(".") && file.endsWith(".tmp")) await rm(join(dir, file), { force: true });
      }
    }
    const saved = await readFile(join(this.path, USAGE_FILE), "utf8").then(
      (text) => JSON.parse(text) as DiskUsage & { entries: number; savedAt: number },
      () => undefined,
    );
    await rm(join(this.path, USAGE_FILE), { force: true });
    // a shard changed after the count was saved (files put or removed while the store was
    // closed, by hand or by another program): the count no longer holds
    if (saved && changedSince <= saved.savedAt) {
      const { entries, savedAt: _, ...usage } = saved;
      this.#usage = usage;
      this.#entries = entries;
    } else await this.recount(options);
  }

  /** Keeps the usage counted for the next open (a crash leaves none, and the next open walks). */
  async close(): Promise<void> {
    await Promise.allSettled(this.#busy.values());
    const saved = { ...this.#usage, entries: this.#entries, savedAt: Date.now() };
    await writeFile(join(this.path, USAGE_FILE), JSON.stringify(saved));
  }

  /** Bytes, files and directories the store takes, kept current by every put and delete. */
  usage(): DiskUsage {
    return { ...this.#usage };
  }

  /** Bytes given back by deletes since the store opened. */
  get freedBytes(): number {
    return this.#freedBytes;
  }

  /** Values (blocks, for a block store) the store holds. */
  get entries(): number {
    return this.#entries;
  }

  /** Counts the store's usage and values again from the disk. */
  async recount(options: { signal?: AbortSignal } = {}): Promise<DiskUsage> {
    await Promise.allSettled(this.#busy.values());
    this.#usage = await measureDirectory(this.path, options);
    let entries = 0;
    for await (const _ of this.#files(undefined, options)) entries += 1;
    this.#entries = entries;
    return this.usage();
  }

  /** The file that holds `key`'s value. */
  pathOf(key: Key): string {
    const { dir, file } = this.#locate(key);
    return join(this.path, dir, file);
  }

  override async put(key: Key, value: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<Key> {
    const { dir, file } = this.#locate(key);
    const target = join(this.path, dir, file);
    options.signal?.throwIfAborted();
    try {
      await this.#exclusive(target, async () => {
        const shardDir = await this.#ensureDir(dir);
        const temporary = join(this.path, dir, `.${file}.${++this.#temporary}.tmp`);
        let written: Awaited<ReturnType<typeof lstat>>;
        let previous: Awaited<ReturnType<typeof lstat>> | undefined;
        try {
          const handle = await open(temporary, "w");
          try {
            await handle.writeFile(value);
            if (this.#sync) await handle.sync();
          } finally {
            await handle.close();
          }
          [written, previous] = await Promise.all([lstat(temporary), lstat(target).catch(() => undefined)]);
          await rename(temporary, target);
        } catch (error) {
          // a write that failed (a full disk) leaves nothing behind but the shard directory
          await rm(temporary, { force: true });
          await this.#recountDir(dir, shardDir);
          throw error;
        }
        if (this.#sync) await syncDirectory(join(this.path, dir));
        this.#usage.bytes += allocatedBytes(written) - (previous ? allocatedBytes(previous) : 0);
        if (!previous) {
          this.#usage.files += 1;
          this.#entries += 1;
        }
        await this.#recountDir(dir, shardDir);
      });
      return key;
    } catch (cause) {
      throw new PutFailedError(`cannot write ${key}: ${(cause as Error).message}`);
    }
  }

  override async get(key: Key, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    try {
      return plainBytes(await readFile(this.pathOf(key), options));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(`${key} not found`);
      throw cause;
    }
  }

  override async has(key: Key, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    options.signal?.throwIfAborted();
    return stat(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }

  override async delete(key: Key, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { dir, file } = this.#locate(key);
    const target = join(this.path, dir, file);
    options.signal?.throwIfAborted();
    try {
      await this.#exclusive(target, async () => {
        const previous = await lstat(target).catch(() => undefined);
        if (!previous) return;
        await unlink(target);
        this.#usage.bytes -= allocatedBytes(previous);
        this.#usage.files -= 1;
        this.#entries -= 1;
        this.#freedBytes += allocatedBytes(previous);
        const shardDir = await this.#dirs.get(dir);
        if (shardDir) await this.#recountDir(dir, shardDir);
      });
    } catch (cause) {
      throw new DeleteFailedError(`cannot delete ${key}: ${(cause as Error).message}`);
    }
  }

  override async *_all(query: Query, options: { signal?: AbortSignal } = {}): AsyncGenerator<Pair> {
    for await (const { key, file } of this.#files(query.prefix, options)) {
      const value = await readFile(file).catch(() => undefined);
      // deleted while the query ran
      if (value) yield { key, value: plainBytes(value) };
    }
  }

  override async *_allKeys(query: KeyQuery, options: { signal?: AbortSignal } = {}): AsyncGenerator<Key> {
    for await (const { key } of this.#files(query.prefix, options)) yield key;
  }

  async *#files(prefix: string | undefined, options: { signal?: AbortSignal }) {
    const dirs = (await readdir(this.path, { withFileTypes: true })).filter((entry) => entry.isDirectory());
    for (const dir of dirs) {
      options.signal?.throwIfAborted();
      const names = await readdir(join(this.path, dir.name)).catch(() => []);
      for (const name of names) {
        if (name.startsWith(".") || !name.endsWith(EXTENSION)) continue;
        const key = keyOfName(name.slice(0, -EXTENSION.length));
        if (prefix === undefined || key.toString().startsWith(prefix)) {
          yield { key, file: join(this.path, dir.name, name) };
        }
      }
    }
  }

  #locate(key: Key): { dir: string; file: string } {
    const name = nameOfKey(key);
    return { dir: this.#shard.fun(name), file: `${name}${EXTENSION}` };
  }

  /** The shard directory, made (and counted) by the first put into it. */
  #ensureDir(dir: string): Promise<ShardDir> {
    let shardDir = this.#dirs.get(dir);
    if (!shardDir) {
      const making = this.#makeDir(dir);
      shardDir = making;
      this.#dirs.set(dir, making);
      // a directory that could not be made is tried again by the next put
      making.catch(() => {
        if (this.#dirs.get(dir) === making) this.#dirs.delete(dir);
      });
    }
    return shardDir;
  }

  async #makeDir(dir: string): Promise<ShardDir> {
    const path = join(this.path, dir);
    const made = await mkdir(path, { recursive: true });
    // made since the store opened, by another program: it was not counted, and is not now
    if (made === undefined) return { bytes: allocatedBytes(await lstat(path)), stat: 0, changes: 0 };
    this.#usage.dirs += 1;
    if (this.#sync) await syncDirectory(this.path);
    // its bytes are counted by the put that made it, once its file is in
    return { bytes: 0, stat: 0, changes: 0 };
  }

  /**
   * Counts what a shard directory takes now (it grows as it fills). Of the stats that overlap,
   * the one started last wins: it saw every change made before it started.
   */
  async #recountDir(dir: string, shardDir: ShardDir): Promise<void> {
    // a directory grows a block per hundred-odd entries: a stat every few changes keeps the
    // count within a block of du's without a syscall on every put
    shardDir.changes += 1;
    if (shardDir.bytes > 0 && shardDir.changes % DIR_RECOUNT_EVERY !== 0) return;
    const started = ++this.#dirStats;
    const stats = await lstat(join(this.path, dir)).catch(() => undefined);
    if (!stats || started < shardDir.stat) return;
    const bytes = allocatedBytes(stats);
    this.#usage.bytes += bytes - shardDir.bytes;
    shardDir.bytes = bytes;
    shardDir.stat = started;
  }

  async #exclusive<T>(file: string, work: () => Promise<T>): Promise<T> {
    while (this.#busy.has(file)) await this.#busy.get(file)?.catch(() => undefined);
    const running = work();
    this.#busy.set(file, running);
    try {
      return await running;
    } finally {
      this.#busy.delete(file);
    }
  }
}

/** A shard directory's allocated bytes as last counted, which stat counted them, and changes since. */
interface ShardDir {
  bytes: number;
  stat: number;
  changes: number;
}

/**
 * Writes a new store's `SHARDING` (the shard function, as go-ds-flatfs reads it) and `_README`.
 * What `strata node init` and the first open of a store do.
 */
export async function writeShardingFiles(path: string, shardFunc: string): Promise<void> {
  await mkdir(path, { recursive: true });
  await writeFile(join(path, SHARDING_FILE), `${shardFunc}\n`);
  await writeFile(join(path, README_FILE), flatfsReadme(shardFunc));
}

/** The file name (without `.data`) that holds a key's value. */
export function nameOfKey(key: Key): string {
  const text = key.toString();
  const name = text.slice(1);
  return PLAIN_NAME.test(name) ? name : `~${base32.baseEncode(new TextEncoder().encode(text))}`;
}

function keyOfName(name: string): Key {
  if (name.startsWith("~")) return new Key(new TextDecoder().decode(base32.baseDecode(name.slice(1))));
  return new Key(`/${name}`);
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const flatfsReadme = (
  shardFunc: string,
) => `This is a repository of IPLD objects. Each IPLD object is in a single file,
named <base32 encoding of multihash>.data. Where the multihash is the hash of the object's bytes.

All the object files are placed in a tree of directories, based on a
function of the CID. This is a form of sharding similar to
the objects directory in git repositories. Previously, we used
prefixes, we now use the next-to-last two characters.

    func NextToLast(base32cid string) {
      nextToLastLen := 2
      offset := len(base32cid) - nextToLastLen - 1
      return str[offset : offset+nextToLastLen]
    }

For example, an object with a base58 CIDv1 of

    zb2rhYSxw4ZjuzgCnWSt19Q94ERaeFhu9uSqRgjSdx9bsgM6f

has a base32 CIDv1 of

    BAFKREIA22FLID5AJ2KU7URG47MDLROZIH6YF2KBSNHE4HJ7NCMQRTNDA

and will be placed at

    SC/AFKREIA22FLID5AJ2KU7URG47MDLROZIH6YF2KBSNHE4HJ7NCMQRTNDA.data

with 'SC' being the last-to-next two characters and the 'B' at the
beginning of the CIDv1 string is the multibase prefix that is not
stored in the filename.

This store's shard function is ${shardFunc}.
`;
