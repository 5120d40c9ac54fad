import { join } from "node:path";
import { shard } from "datastore-core";
import type { Blockstore, InputPair, Pair } from "interface-blockstore";
import { type Datastore, Key } from "interface-datastore";
import toBuffer from "it-to-buffer";
import { base32upper } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import { DEFAULT_SHARD_FUNC } from "./datastore-spec.ts";

/** Where kubo keeps blocks in its datastore: `/blocks/<base32 multihash>`. */
export const BLOCKS_PREFIX = "/blocks";

/** A block's name in the block store: its multihash in base32 (so CIDv0 and v1 share one block). */
export function blockName(cid: CID): Key {
  return new Key(`/${base32upper.baseEncode(cid.multihash.bytes)}`, false);
}

/**
 * Where a flat-file store at `/blocks` under `dir` keeps a block: `<shard>/<base32 multihash>.data`,
 * the shard directory named by `shardFunc` (kubo's layout).
 */
export function blockPath(dir: string, cid: CID, shardFunc = DEFAULT_SHARD_FUNC): string {
  const name = base32upper.baseEncode(cid.multihash.bytes);
  return join(dir, shard.parseShardFun(shardFunc).fun(name), `${name}.data`);
}

/** A block's datastore key, as kubo names it: `/blocks/` and its name. */
export function blockKey(cid: CID): Key {
  return new Key(`${BLOCKS_PREFIX}${blockName(cid).toString()}`, false);
}

/** The CID a block key is listed as: CIDv1 raw with the key's multihash, all pins and deletes read. */
export function cidOfBlockKey(key: Key): CID {
  return CID.createV1(raw.code, Digest.decode(base32upper.baseDecode(key.name())));
}

type Bytes = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
const whole = async (bytes: Bytes): Promise<Uint8Array> =>
  bytes instanceof Uint8Array ? bytes : toBuffer(bytes);

/**
 * The blockstore over the mounted datastore, as kubo's: each block is the value of its
 * `/blocks/<multihash>` key, so the spec decides where blocks live (a flat-file store at
 * `/blocks` by default) and any store that passes the datastore suite can hold them.
 */
export class DatastoreBlockstore implements Blockstore {
  readonly #datastore: Datastore;

  constructor(datastore: Datastore) {
    this.#datastore = datastore;
  }

  async put(cid: CID, bytes: Bytes, options?: { signal?: AbortSignal }): Promise<CID> {
    await this.#datastore.put(blockKey(cid), await whole(bytes), options);
    return cid;
  }

  async *putMany(source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: { signal?: AbortSignal }) {
    for await (const { cid, bytes } of source) yield await this.put(cid, bytes, options);
  }

  async *get(cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
    yield await this.#datastore.get(blockKey(cid), options);
  }

  async *getMany(source: Iterable<CID> | AsyncIterable<CID>, options?: { signal?: AbortSignal }) {
    for await (const cid of source) yield { cid, bytes: this.get(cid, options) };
  }

  async has(cid: CID, options?: { signal?: AbortSignal }): Promise<boolean> {
    return this.#datastore.has(blockKey(cid), options);
  }

  async delete(cid: CID, options?: { signal?: AbortSignal }): Promise<void> {
    await this.#datastore.delete(blockKey(cid), options);
  }

  async *deleteMany(source: Iterable<CID> | AsyncIterable<CID>, options?: { signal?: AbortSignal }) {
    for await (const cid of source) {
      await this.delete(cid, options);
      yield cid;
    }
  }

  async *getAll(options?: { signal?: AbortSignal }): AsyncGenerator<Pair> {
    for await (const { key, value } of this.#datastore.query({ prefix: `${BLOCKS_PREFIX}/` }, options)) {
      yield {
        cid: cidOfBlockKey(key),
        bytes: (async function* () {
          yield value;
        })(),
      };
    }
  }

  /** Every block's CID (CIDv1 raw with its multihash), listed without reading a block. */
  async *cids(options?: { signal?: AbortSignal }): AsyncGenerator<CID> {
    for await (const key of this.#datastore.queryKeys({ prefix: `${BLOCKS_PREFIX}/` }, options))
      yield cidOfBlockKey(key);
  }
}
