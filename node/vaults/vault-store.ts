import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import Database from "better-sqlite3";
import { CID } from "multiformats/cid";
import type { CollectionMeta } from "#protocol";

/** How the node holds a vault (see VaultMode in api/vaults). */
export type VaultMode = "live" | "frozen" | "moved" | "staged";

export interface StoredFile {
  path: string;
  size: number;
  type: string;
  modified: number;
  chunks: CID[];
}

export interface StoredKey {
  address: string;
  scopes: string[];
  expires: number;
  revoked: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, type TEXT NOT NULL,
  modified INTEGER NOT NULL, chunks BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunk_refs (cid BLOB NOT NULL, path TEXT NOT NULL, PRIMARY KEY (cid, path)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blocks (cid BLOB PRIMARY KEY, bytes BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS collections (name TEXT PRIMARY KEY, meta BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, op TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shipped (cid BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (sequence INTEGER PRIMARY KEY, manifest TEXT NOT NULL, blobs TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (address TEXT PRIMARY KEY, scopes TEXT NOT NULL, expires INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

const CID_BYTES = 36;

/** The CIDs of a file's chunks, as the files table keeps them (36 bytes each, concatenated). */
export function packChunks(chunks: CID[]): Uint8Array {
  const out = new Uint8Array(chunks.length * CID_BYTES);
  for (const [index, cid] of chunks.entries()) out.set(cid.bytes, index * CID_BYTES);
  return out;
}

export function unpackChunks(bytes: Uint8Array): CID[] {
  const chunks: CID[] = [];
  for (let offset = 0; offset < bytes.length; offset += CID_BYTES) {
    chunks.push(CID.decode(bytes.subarray(offset, offset + CID_BYTES)));
  }
  return chunks;
}

/**
 * One vault on disk: a SQLite file (files, document blocks, collection roots, the journal of
 * writes since their last build, snapshots, app keys, the vault's mode) and a directory of file
 * chunks named by CID. Every write is durable (WAL, synchronous=FULL; chunks fsynced) before it
 * returns.
 */
export class VaultStore {
  readonly dir: string;
  readonly db: Database.Database;
  readonly #chunkDir: string;

  private constructor(dir: string, db: Database.Database) {
    this.dir = dir;
    this.db = db;
    this.#chunkDir = join(dir, "chunks");
  }

  readonly #statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once. */
  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  static async open(dir: string): Promise<VaultStore> {
    await mkdir(join(dir, "chunks"), { recursive: true });
    const db = new Database(join(dir, "vault.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(SCHEMA);
    return new VaultStore(dir, db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // --- state ---------------------------------------------------------------------------------
  get(key: string): string | undefined {
    const row = this.#sql("SELECT value FROM state WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }

  get mode(): VaultMode {
    return (this.get("mode") as VaultMode | undefined) ?? "live";
  }

  set mode(mode: VaultMode) {
    this.set("mode", mode);
  }

  /** The last snapshot this node took or restored: sequence and manifest CID. */
  lastSnapshot(): { sequence: number; manifest: string } | undefined {
    const row = this.db
      .prepare("SELECT sequence, manifest FROM snapshots ORDER BY sequence DESC LIMIT 1")
      .get() as { sequence: number; manifest: string } | undefined;
    return row;
  }

  /** Every snapshot's certified blobs, oldest first (where a restore finds the blocks). */
  snapshotBlobs(): string[] {
    const rows = this.#sql("SELECT blobs FROM snapshots ORDER BY sequence").all() as {
      blobs: string;
    }[];
    return rows.flatMap((row) => JSON.parse(row.blobs) as string[]);
  }

  /** Records a committed snapshot and that its blocks are in the network. */
  recordSnapshot(sequence: number, manifest: string, blobs: string[], shipped: Iterable<CID>): void {
    const insert = this.#sql("INSERT OR IGNORE INTO shipped (cid) VALUES (?)");
    this.db.transaction(() => {
      this.db
        .prepare("INSERT OR REPLACE INTO snapshots (sequence, manifest, blobs) VALUES (?, ?, ?)")
        .run(sequence, manifest, JSON.stringify(blobs));
      for (const cid of shipped) insert.run(cid.bytes);
    })();
  }

  /** The CIDs (as `blockKey`s) of every block in a committed snapshot: one scan, for a walk over many. */
  shippedKeys(): Set<string> {
    const keys = new Set<string>();
    for (const row of this.#sql("SELECT cid FROM shipped").iterate() as Iterable<{ cid: Uint8Array }>) {
      keys.add(Buffer.from(row.cid).toString("latin1"));
    }
    return keys;
  }

  /**
   * A loader of the document and map blocks that reads them all in one scan first (many point
   * lookups cost far more than one pass), then serves them from memory.
   */
  blockLoader(): (cid: CID) => Uint8Array | undefined {
    const blocks = new Map<string, Uint8Array>();
    for (const row of this.#sql("SELECT cid, bytes FROM blocks").iterate() as Iterable<{
      cid: Uint8Array;
      bytes: Uint8Array;
    }>) {
      blocks.set(Buffer.from(row.cid).toString("latin1"), row.bytes);
    }
    return (cid) => blocks.get(Buffer.from(cid.bytes).toString("latin1"));
  }

  // --- files ---------------------------------------------------------------------------------
  chunkPath(cid: CID): string {
    return join(this.#chunkDir, cid.toString());
  }

  async hasChunk(cid: CID): Promise<boolean> {
    return stat(this.chunkPath(cid)).then(
      () => true,
      () => false,
    );
  }

  /** Writes a chunk (absent ones only) under its CID, fsynced, renamed into place. */
  async writeChunk(cid: CID, bytes: Uint8Array): Promise<number> {
    const path = this.chunkPath(cid);
    if (await this.hasChunk(cid)) return 0;
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    return bytes.length;
  }

  /**
   * Writes a chunk straight under its CID and fsyncs it: for a new copy (a restore's staging) only,
   * which the swap, not a rename, makes visible.
   */
  async writeFreshChunk(cid: CID, bytes: Uint8Array): Promise<void> {
    const handle = await open(this.chunkPath(cid), "w");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Makes the renames of chunks written so far durable. */
  async syncChunks(): Promise<void> {
    const handle = await open(this.#chunkDir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  file(path: string): StoredFile | undefined {
    const row = this.#sql("SELECT * FROM files WHERE path = ?").get(path) as FileRow | undefined;
    return row ? fileOf(row) : undefined;
  }

  files(options: { prefix?: string; after?: string; limit?: number } = {}): StoredFile[] {
    const prefix = options.prefix ?? "";
    const rows = this.db
      .prepare(
        "SELECT * FROM files WHERE path >= ? AND path > ? AND substr(path, 1, ?) = ? ORDER BY path LIMIT ?",
      )
      .all(prefix, options.after ?? "", prefix.length, prefix, options.limit ?? -1) as FileRow[];
    return rows.map(fileOf);
  }

  /** Puts a file's row, replacing any at its path; returns the chunks no file refers to any more. */
  putFile(file: StoredFile): CID[] {
    return this.db.transaction(() => {
      const orphans = this.#unlink(file.path);
      this.db
        .prepare("INSERT INTO files (path, size, type, modified, chunks) VALUES (?, ?, ?, ?, ?)")
        .run(file.path, file.size, file.type, file.modified, packChunks(file.chunks));
      const ref = this.#sql("INSERT OR IGNORE INTO chunk_refs (cid, path) VALUES (?, ?)");
      for (const cid of file.chunks) ref.run(cid.bytes, file.path);
      const kept = new Set(file.chunks.map(String));
      return orphans.filter((cid) => !kept.has(cid.toString()));
    })();
  }

  /** Deletes a file's row; returns whether there was one and the chunks no file refers to any more. */
  deleteFile(path: string): { deleted: boolean; orphans: CID[] } {
    return this.db.transaction(() => {
      const existed = this.#sql("SELECT 1 FROM files WHERE path = ?").get(path) !== undefined;
      return { deleted: existed, orphans: this.#unlink(path) };
    })();
  }

  #unlink(path: string): CID[] {
    const row = this.#sql("SELECT chunks FROM files WHERE path = ?").get(path) as
      | { chunks: Uint8Array }
      | undefined;
    if (!row) return [];
    this.#sql("DELETE FROM files WHERE path = ?").run(path);
    this.#sql("DELETE FROM chunk_refs WHERE path = ?").run(path);
    const orphans: CID[] = [];
    const referenced = this.#sql("SELECT 1 FROM chunk_refs WHERE cid = ? LIMIT 1");
    for (const cid of unpackChunks(row.chunks)) if (!referenced.get(cid.bytes)) orphans.push(cid);
    return orphans;
  }

  isReferenced(cid: CID): boolean {
    return this.#sql("SELECT 1 FROM chunk_refs WHERE cid = ? LIMIT 1").get(cid.bytes) !== undefined;
  }

  async removeChunks(cids: CID[]): Promise<void> {
    await Promise.all(cids.map((cid) => rm(this.chunkPath(cid), { force: true })));
  }

  fileStats(): { files: number; bytes: number } {
    const row = this.db
      .prepare("SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes FROM files")
      .get() as {
      files: number;
      bytes: number;
    };
    return row;
  }

  // --- documents -----------------------------------------------------------------------------
  block(cid: CID): Uint8Array | undefined {
    const row = this.#sql("SELECT bytes FROM blocks WHERE cid = ?").get(cid.bytes) as
      | { bytes: Uint8Array }
      | undefined;
    return row?.bytes;
  }

  putBlocks(blocks: Iterable<{ cid: CID; bytes: Uint8Array }>): void {
    const insert = this.#sql("INSERT OR IGNORE INTO blocks (cid, bytes) VALUES (?, ?)");
    let added = 0;
    for (const block of blocks)
      if (insert.run(block.cid.bytes, block.bytes).changes > 0) added += block.bytes.length;
    if (this.#blockBytes !== undefined) this.#blockBytes += added;
  }

  /** Bytes of the document and map blocks held (counted once, then kept up to date). */
  blockBytes(): number {
    this.#blockBytes ??= (
      this.#sql("SELECT coalesce(sum(length(bytes)), 0) AS bytes FROM blocks").get() as { bytes: number }
    ).bytes;
    return this.#blockBytes;
  }

  #blockBytes: number | undefined;

  collectionMetas(): Record<string, CollectionMeta> {
    const rows = this.#sql("SELECT name, meta FROM collections ORDER BY name").all() as {
      name: string;
      meta: Uint8Array;
    }[];
    return Object.fromEntries(rows.map((row) => [row.name, dagCbor.decode(row.meta) as CollectionMeta]));
  }

  setCollectionMeta(name: string, meta: CollectionMeta): void {
    this.db
      .prepare("INSERT OR REPLACE INTO collections (name, meta) VALUES (?, ?)")
      .run(name, dagCbor.encode(meta));
  }

  journal(): { seq: number; collection: string; op: string }[] {
    return this.#sql("SELECT seq, collection, op FROM journal ORDER BY seq").all() as {
      seq: number;
      collection: string;
      op: string;
    }[];
  }

  appendJournal(collection: string, op: unknown): void {
    this.#sql("INSERT INTO journal (collection, op) VALUES (?, ?)").run(collection, JSON.stringify(op));
  }

  clearJournal(): void {
    this.#sql("DELETE FROM journal").run();
  }

  // --- keys ----------------------------------------------------------------------------------
  key(address: string): StoredKey | undefined {
    const row = this.#sql("SELECT * FROM keys WHERE address = ?").get(address.toLowerCase()) as
      | { address: string; scopes: string; expires: number; revoked: number }
      | undefined;
    return (
      row && {
        address: row.address,
        scopes: JSON.parse(row.scopes) as string[],
        expires: row.expires,
        revoked: row.revoked === 1,
      }
    );
  }

  putKey(address: string, scopes: string[], expires: number): void {
    this.db
      .prepare("INSERT OR REPLACE INTO keys (address, scopes, expires, revoked) VALUES (?, ?, ?, 0)")
      .run(address.toLowerCase(), JSON.stringify(scopes), expires);
  }

  revokeKey(address: string): boolean {
    return (
      this.db
        .prepare("UPDATE keys SET revoked = 1 WHERE address = ? AND revoked = 0")
        .run(address.toLowerCase()).changes > 0
    );
  }
}

interface FileRow {
  path: string;
  size: number;
  type: string;
  modified: number;
  chunks: Uint8Array;
}

function fileOf(row: FileRow): StoredFile {
  return {
    path: row.path,
    size: row.size,
    type: row.type,
    modified: row.modified,
    chunks: unpackChunks(row.chunks),
  };
}
