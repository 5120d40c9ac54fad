import { CID } from "multiformats/cid";
import type { Hex } from "viem";
import {
  type Block,
  blockKey,
  buildCollection,
  Collection,
  type CollectionMeta,
  decodeMaster,
  emptyMaster,
  indexPack,
  type Master,
  masterBlock,
  nameRegistryAbi,
  verifyBlock,
  writePack,
} from "../../protocol/index.ts";
import { readCall } from "../client/contract-calls.ts";
import type { StrataClient } from "../client/strata-client.ts";
import type { UploadOptions } from "../client/upload-types.ts";
import { ContractRevertError, InvalidArgumentError } from "../errors.ts";
import { NameNotPublishedError, NameUnreachableError } from "../names/name-errors.ts";
import { type NameRef, nameIdFrom, type ResolveNameReturnType } from "../names/resolve-name.ts";
import { readCached, writeCached } from "./cache-files.ts";
import {
  DatabaseNotPublishedError,
  DatabaseUnavailableError,
  StaleCommitError,
} from "./collection-errors.ts";

export interface OpenDatabaseOptions {
  /** The database's name: `{ owner, label }`, a name id or an IPNS name; a label alone is the signer's. */
  name: NameRef;
  /** A folder of this machine's copy: packs read or written, and the head last seen. */
  cacheDir: string;
  /** Open what this machine's copy last saw, without asking the network. */
  offline?: boolean;
  signal?: AbortSignal;
}

export interface CommitOptions {
  /** How the pack is stored (default: hot, 3 replicas, 1 epoch). */
  upload?: Pick<UploadOptions, "tier" | "replicas" | "faults" | "epochs" | "nodes">;
  ttl?: number;
  lifetime?: number;
  /**
   * Also hand the name's IPNS record to the nodes holding the pack, waiting for their
   * confirmations (default false: the chain and the indexer have the update at once).
   */
  mirror?: boolean;
  signal?: AbortSignal;
}

export interface CommitResult {
  sequence: bigint;
  /** The pack's CID (the blob the name now points at) and its master's. */
  pack: string;
  master: string;
  blocks: number;
  bytes: number;
  blobId: Hex;
}

interface Head {
  nameId: string;
  label: string;
  owner: string;
  sequence: string;
  pack: string | null;
}

/**
 * A document database on Strata: collections of documents in content-addressed maps, committed
 * as one pack blob per commit, named by a Strata name that moves once per commit (docs/protocol.md,
 * "Collections"). Reads come from this machine's copy first, then from Strata nodes, every block
 * checked against its CID. Opening never creates: a name never published is
 * DatabaseNotPublishedError, an unreachable network DatabaseUnavailableError.
 */
export class Database {
  readonly client: StrataClient;
  readonly label: string;
  readonly owner: `0x${string}`;
  readonly nameId: Hex;
  readonly #cacheDir: string;
  /** Every block known here, by `blockKey`: read from packs, or written and not yet committed. */
  readonly #blocks = new Map<string, Uint8Array>();
  /** Blocks checked against their CIDs (a pack's are checked when first used). */
  readonly #verified = new Set<string>();
  /** Blocks that are in some pack of the database. */
  readonly #committed = new Set<string>();
  readonly #collections = new Map<string, Collection>();
  #master: Master;
  #sequence: bigint;
  #pack: string | null;
  /** Packs of earlier commits not read yet, newest first. */
  #unread: CID[];

  private constructor(
    client: StrataClient,
    head: { label: string; owner: `0x${string}`; nameId: Hex; sequence: bigint; pack: string | null },
    master: Master,
    cacheDir: string,
  ) {
    this.client = client;
    this.label = head.label;
    this.owner = head.owner;
    this.nameId = head.nameId;
    this.#sequence = head.sequence;
    this.#pack = head.pack;
    this.#master = master;
    this.#unread = [...master.packs];
    this.#cacheDir = cacheDir;
  }

  /** The name's sequence this database is at. */
  get sequence(): bigint {
    return this.#sequence;
  }

  /** The pack the name points at (null before the first commit). */
  get pack(): string | null {
    return this.#pack;
  }

  /**
   * A new, empty database under the signer's name `label`. Refused if the name was ever
   * published (open it instead). Nothing is written until the first commit.
   */
  static async create(
    client: StrataClient,
    options: { label: string; cacheDir: string; signal?: AbortSignal },
  ): Promise<Database> {
    const owner = await client.address();
    const ref = { owner, label: options.label };
    try {
      await client.names.resolve(ref, { ...(options.signal ? { signal: options.signal } : {}) });
      throw new InvalidArgumentError(
        `a database (or another name) is already published as ${options.label}: open it`,
      );
    } catch (error) {
      if (error instanceof NameUnreachableError)
        throw new DatabaseUnavailableError(`name ${options.label}`, { cause: error });
      if (!(error instanceof NameNotPublishedError)) throw error;
    }
    const nameId = nameIdFrom(ref) as Hex;
    const chain = await readCall(client.publicClient, {
      address: client.deployment.contracts.names,
      abi: nameRegistryAbi,
      functionName: "recordOf",
      args: [nameId],
    });
    return new Database(
      client,
      { label: options.label, owner, nameId, sequence: chain.sequence, pack: null },
      emptyMaster(),
      options.cacheDir,
    );
  }

  /** Opens a published database: its newest pack, from this machine's copy or from Strata. */
  static async open(client: StrataClient, options: OpenDatabaseOptions): Promise<Database> {
    const { cacheDir, signal } = options;
    let head: Head;
    if (options.offline) {
      const cached = await readHead(cacheDir);
      if (!cached) throw new DatabaseUnavailableError("this machine's copy of the database");
      head = cached;
    } else {
      let resolved: ResolveNameReturnType;
      try {
        resolved = await client.names.resolve(options.name, { ...(signal ? { signal } : {}) });
      } catch (error) {
        if (error instanceof NameNotPublishedError)
          throw new DatabaseNotPublishedError(String(describe(options.name)));
        if (error instanceof NameUnreachableError) {
          throw new DatabaseUnavailableError(`database ${describe(options.name)}`, { cause: error });
        }
        throw error;
      }
      if (!resolved.cid) throw new DatabaseNotPublishedError(`${describe(options.name)} (it names no pack)`);
      head = {
        nameId: resolved.nameId,
        label: resolved.label,
        owner: resolved.owner,
        sequence: resolved.sequence.toString(),
        pack: resolved.cid,
      };
    }
    const db = new Database(
      client,
      {
        label: head.label,
        owner: head.owner as `0x${string}`,
        nameId: head.nameId as Hex,
        sequence: BigInt(head.sequence),
        pack: head.pack,
      },
      emptyMaster(),
      cacheDir,
    );
    if (head.pack) {
      const root = await db.#readPack(CID.parse(head.pack), signal);
      db.#master = decodeMaster(await db.#load(root));
      db.#unread = [...db.#master.packs];
    }
    await writeHead(cacheDir, { ...head });
    return db;
  }

  /** The collection `name` (made on first write). */
  collection(name: string): Collection {
    if (!/^[\w.-]{1,64}$/.test(name)) throw new InvalidArgumentError(`not a collection name: ${name}`);
    let collection = this.#collections.get(name);
    if (!collection) {
      collection = new Collection(name, {
        load: (cid) => this.#load(cid),
        put: (block) => this.#put(block),
        committed: () => this.#master.collections[name],
      });
      this.#collections.set(name, collection);
    }
    return collection;
  }

  /** The collections committed, and those written since. */
  collections(): string[] {
    return [...new Set([...Object.keys(this.#master.collections), ...this.#collections.keys()])].sort();
  }

  /** The master metadata as committed. */
  master(): Master {
    return this.#master;
  }

  /**
   * Publishes every write since the last commit: the changed collections' maps and indexes are
   * rebuilt (unchanged nodes keep their CIDs), the new blocks go into Strata as one pack blob, and
   * the name moves once, to sequence + 1. A writer that another commit overtook gets
   * StaleCommitError, before paying when it can tell, and nothing of its commit is published.
   */
  async commit(options: CommitOptions = {}): Promise<CommitResult | undefined> {
    const { signal } = options;
    const dirty = [...this.#collections.values()].filter((c) => c.dirty);
    if (dirty.length === 0 && this.#pack !== null) return undefined;
    // the name is the owner's: nobody else can move it (publish would name the signer's own)
    if ((await this.client.address()).toLowerCase() !== this.owner.toLowerCase()) {
      throw new InvalidArgumentError(
        `only ${this.owner} commits to ${this.label}: open it with the owner's key`,
      );
    }
    await this.#check(signal);
    // a writer needs every pack: a block already in one is never packed again
    while (this.#unread.length > 0) await this.#readPack(this.#unread[0] as CID, signal);

    const fresh: Block[] = [];
    const collections: Record<string, CollectionMeta> = { ...this.#master.collections };
    for (const collection of dirty) {
      const { entries, indexes } = await collection.snapshot();
      const { meta, blocks } = await buildCollection(entries, indexes, (cid) => collection.document(cid));
      fresh.push(...blocks);
      for (const [, cid] of entries) {
        const bytes = this.#blocks.get(blockKey(cid));
        if (bytes) fresh.push({ cid, bytes });
      }
      collections[collection.name] = meta;
    }
    const packs = this.#pack ? [CID.parse(this.#pack), ...this.#master.packs] : this.#master.packs;
    const master: Master = { v: 1, collections, packs };
    const root = await masterBlock(master);
    const unique = new Map<string, Block>();
    const rootKey = blockKey(root.cid);
    for (const block of fresh) {
      const id = blockKey(block.cid);
      if (!this.#committed.has(id) && id !== rootKey) unique.set(id, block);
    }
    const bytes = await writePack(root, unique.values());

    await this.#check(signal);
    const uploaded = await this.client.upload(bytes, {
      ...(options.upload ?? {}),
      name: `strata-db ${this.label} #${this.#sequence + 1n}`,
      mimeType: "application/vnd.ipld.car",
      tags: ["strata-db"],
      ...(signal ? { signal } : {}),
    });
    try {
      await this.client.names.publish(this.label, uploaded.cid, {
        sequence: this.#sequence + 1n,
        mirror: options.mirror ?? false,
        ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
        ...(options.lifetime !== undefined ? { lifetime: options.lifetime } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (error instanceof ContractRevertError && error.errorName === "NameRegistryStaleSequence") {
        // the pack is nobody's: its escrow comes back
        await this.client.delete(uploaded.blobId).catch(() => undefined);
        throw new StaleCommitError(this.#sequence, BigInt(error.args[1] as bigint), { cause: error });
      }
      throw error;
    }
    // the commit is published: this machine's copy follows
    this.#sequence += 1n;
    this.#pack = uploaded.cid;
    this.#master = master;
    this.#put(root);
    for (const id of [...unique.keys(), rootKey]) this.#committed.add(id);
    await this.#cachePack(uploaded.cid, bytes);
    await writeHead(this.#cacheDir, {
      nameId: this.nameId,
      label: this.label,
      owner: this.owner,
      sequence: this.#sequence.toString(),
      pack: uploaded.cid,
    });
    for (const collection of this.#collections.values()) collection.committed();
    return {
      sequence: this.#sequence,
      pack: uploaded.cid,
      master: root.cid.toString(),
      blocks: unique.size + 1,
      bytes: bytes.byteLength,
      blobId: uploaded.blobId,
    };
  }

  /** The chain's sequence of the name is still the one this database is at; else StaleCommitError. */
  async #check(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const chain = await readCall(this.client.publicClient, {
      address: this.client.deployment.contracts.names,
      abi: nameRegistryAbi,
      functionName: "recordOf",
      args: [this.nameId],
    });
    if (chain.sequence !== this.#sequence) throw new StaleCommitError(this.#sequence, chain.sequence);
  }

  /** A block written here: known, and checked (it was hashed to get its CID). */
  #put(block: Block): void {
    const key = blockKey(block.cid);
    this.#blocks.set(key, block.bytes);
    this.#verified.add(key);
  }

  /**
   * A block: known here, else from the packs of earlier commits, newest first; checked against
   * its CID the first time it is used.
   */
  async #load(cid: CID): Promise<Uint8Array> {
    const key = blockKey(cid);
    for (;;) {
      const bytes = this.#blocks.get(key);
      if (bytes) {
        if (!this.#verified.has(key)) {
          await verifyBlock(cid, bytes);
          this.#verified.add(key);
        }
        return bytes;
      }
      const next = this.#unread[0];
      if (!next) throw new DatabaseUnavailableError(`block ${cid}`);
      await this.#readPack(next);
    }
  }

  /** Reads a pack (this machine's copy, else Strata's, whose bytes `get` checks) into the known blocks; returns its root. */
  async #readPack(cid: CID, signal?: AbortSignal): Promise<CID> {
    const id = cid.toString();
    let bytes = await readCached(this.#cacheDir, `packs/${id}.car`);
    if (!bytes) {
      try {
        bytes = await this.client.get(id, { ...(signal ? { signal } : {}) });
      } catch (error) {
        signal?.throwIfAborted();
        throw new DatabaseUnavailableError(`pack ${id}`, { cause: error });
      }
      await this.#cachePack(id, bytes);
    }
    const pack = indexPack(bytes);
    for (const [key, block] of pack.blocks) {
      if (!this.#blocks.has(key)) this.#blocks.set(key, block);
      this.#committed.add(key);
    }
    this.#unread = this.#unread.filter((c) => !c.equals(cid));
    return pack.root;
  }

  async #cachePack(cid: string, bytes: Uint8Array): Promise<void> {
    await writeCached(this.#cacheDir, `packs/${cid}.car`, bytes);
  }
}

function describe(name: NameRef): string {
  return typeof name === "string" ? name : `${name.owner}/${name.label}`;
}

async function readHead(cacheDir: string): Promise<Head | undefined> {
  const bytes = await readCached(cacheDir, "head.json");
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Head;
  } catch {
    return undefined;
  }
}

async function writeHead(cacheDir: string, head: Head): Promise<void> {
  await writeCached(cacheDir, "head.json", JSON.stringify(head, null, 2));
}
