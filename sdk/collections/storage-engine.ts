import { BSON, EJSON } from "bson";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import type { Document } from "../../protocol/index.ts";
import { InvalidArgumentError } from "../errors.ts";
import { mirrorNameRecord } from "../names/publish-name.ts";
import type { NameRef } from "../names/resolve-name.ts";
import type { CommitOptions, CommitResult, Database } from "./database.ts";

/** The seed's file system: bytes in, a CID out; files by name (zkDatabase's `IFileSystem`). */
export interface IFileSystem<S, T, R> {
  writeBytes(data: R): Promise<T>;
  write(filename: S, data: R): Promise<T>;
  read(filename: S): Promise<R>;
  remove(filename: S): Promise<boolean>;
}

/** The seed's index: publish the root under a name, republish it, resolve it (`IFileIndex`). */
export interface IFileIndex<S, T, R> {
  publish(contentID: T): Promise<R>;
  republish(): void;
  resolve(name?: S): Promise<T>;
}

/**
 * zkDatabase's storage engine on Strata: `IFileSystem<string, CID, Uint8Array>` over the current
 * collection (a file is a document `{ _id: filename, data }`; `writeBytes` names it by the CID of
 * its bytes) and `IFileIndex<NameRef, CID, CommitResult>`, where `publish` commits and moves the
 * Strata name, `republish` hands the name's IPNS record to the indexer and the nodes again, and
 * `resolve` reads the value the chain anchors (the newest pack).
 */
export class StorageEngine
  implements IFileSystem<string, CID, Uint8Array>, IFileIndex<NameRef, CID, CommitResult | undefined>
{
  readonly db: Database;
  #collection = "default";
  #commit: CommitOptions;

  constructor(db: Database, options: { commit?: CommitOptions } = {}) {
    this.db = db;
    this.#commit = options.commit ?? {};
  }

  /** Switches the collection files are written to and read from. */
  use(collection: string): void {
    this.db.collection(collection);
    this.#collection = collection;
  }

  async writeBytes(data: Uint8Array): Promise<CID> {
    const cid = CID.createV1(raw.code, await sha256.digest(data));
    await this.write(cid.toString(), data);
    return cid;
  }

  async write(filename: string, data: Uint8Array): Promise<CID> {
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError("write takes bytes");
    const files = this.db.collection(this.#collection);
    await files.delete({ _id: filename });
    await files.insert({ _id: filename, data });
    return CID.createV1(raw.code, await sha256.digest(data));
  }

  async read(filename: string): Promise<Uint8Array> {
    const file = await this.db.collection(this.#collection).get(filename);
    if (!file || !(file.data instanceof Uint8Array))
      throw new InvalidArgumentError(`no file ${filename} in ${this.#collection}`);
    return file.data;
  }

  async remove(filename: string): Promise<boolean> {
    return (await this.db.collection(this.#collection).delete({ _id: filename })) > 0;
  }

  /** A BSON document into the current collection (as the seed's `writeBSON`); returns its `_id`. */
  async writeBSON(bson: Uint8Array | Document): Promise<string> {
    const doc = bson instanceof Uint8Array ? fromBSON(bson) : (bson as Document);
    const [key] = await this.db.collection(this.#collection).insert(doc);
    return key as string;
  }

  /** Commits every write and moves the name (the content id is the database's own). */
  async publish(_contentID?: CID): Promise<CommitResult | undefined> {
    return this.db.commit(this.#commit);
  }

  /** The seed's fire-and-forget republish; `republishNow` is the same, awaited, with its errors. */
  republish(): void {
    this.republishNow().catch(() => undefined);
  }

  republishNow(): Promise<void> {
    return this.#republish();
  }

  async resolve(name?: NameRef): Promise<CID> {
    const resolved = await this.db.client.names.resolve(name ?? this.db.nameId);
    if (!resolved.cid) throw new InvalidArgumentError(`${resolved.path} is not an /ipfs/ path`);
    return CID.parse(resolved.cid);
  }

  /** The name's anchored IPNS record, handed again to the indexer and to the nodes holding the pack. */
  async #republish(): Promise<void> {
    const { client } = this.db;
    const { ipnsName, path } = await client.names.resolve(this.db.nameId);
    const record = await client.indexer.names.getIpnsRecord(ipnsName);
    if (!record) return;
    await client.indexer.names.putIpnsRecord(ipnsName, record);
    await mirrorNameRecord(client.context, { nameId: this.db.nameId, ipnsName, record, path });
  }
}

/** A BSON document as a document Strata stores (EJSON relaxed: ObjectIds, dates and the like become JSON). */
export function fromBSON(bytes: Uint8Array): Document {
  try {
    return EJSON.serialize(BSON.deserialize(bytes), { relaxed: true }) as Document;
  } catch (error) {
    throw new InvalidArgumentError(`not a BSON document: ${(error as Error).message}`);
  }
}

/** A document as BSON (its EJSON read back: `{ $oid }`, `{ $date }` become BSON types again). */
export function toBSON(doc: Document): Uint8Array {
  const { data, ...rest } = doc as Document & { data?: unknown };
  const value = data instanceof Uint8Array ? { ...rest, data: new BSON.Binary(data) } : doc;
  return BSON.serialize(EJSON.deserialize(value as never, { relaxed: true }) as Document);
}
