import type { Hex } from "viem";
import { WrongDatabaseError } from "../errors.ts";
import type { DecodedEvent } from "../sync/event-decoder.ts";
import type { Db } from "./open-database.ts";
import { Projector } from "./project-event.ts";

export interface Cursor {
  number: bigint;
  hash: Hex;
  timestamp: number;
}

export interface Anchor {
  number: bigint;
  hash: Hex;
  timestamp: number;
}

/** Tables whose rows are events themselves, removed by block when the chain reorganises. */
const FACT_TABLES = [
  "certificates",
  "proofs",
  "missed_proofs",
  "slashes",
  "payments",
  "periods",
  "name_updates",
  "vault_snapshots",
  "vault_moves",
] as const;

/**
 * The write side of the mirror: every change is one SQLite transaction that moves the cursor with
 * the rows, so a crash at any point leaves the cursor and the rows agreeing.
 */
export class Mirror {
  readonly #db: Db;
  readonly #chainId: number;
  readonly #window: number;
  readonly #projector: Projector;
  readonly #s: ReturnType<typeof statements>;

  constructor(db: Db, options: { chainId: number; window: number }) {
    this.#db = db;
    this.#chainId = options.chainId;
    this.#window = options.window;
    this.#projector = new Projector(db, options.chainId);
    this.#s = statements(db);
  }

  /**
   * Checks the database was made for this chain and deployment (records them on first use), and
   * keeps facts of the deployment the API needs (`extra`, e.g. the registry's minimum stake).
   */
  claim(identity: Record<string, string>, extra: Record<string, string> = {}): void {
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(identity)) {
        const row = this.#s.getMeta.get(key) as { value: string } | undefined;
        if (row && row.value !== value) {
          throw new WrongDatabaseError(
            `this database indexes ${key} ${row.value}, not ${value}: use another database file`,
          );
        }
        if (!row) this.#s.setMeta.run(key, value);
      }
      for (const [key, value] of Object.entries(extra)) this.#s.setMeta.run(key, value);
    })();
  }

  meta(key: string): string | undefined {
    return (this.#s.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  cursor(): Cursor | undefined {
    const row = this.#s.getCursor.get() as
      | { block_number: number; block_hash: string; block_timestamp: number }
      | undefined;
    if (!row) return undefined;
    return { number: BigInt(row.block_number), hash: row.block_hash as Hex, timestamp: row.block_timestamp };
  }

  /** Sets where indexing starts (the block before the deployment); only on an empty mirror. */
  start(cursor: Cursor): void {
    this.#db.transaction(() => {
      if (this.#s.getCursor.get()) return;
      this.#s.setCursor.run(Number(cursor.number), cursor.hash, cursor.timestamp);
      this.#s.putAnchor.run(Number(cursor.number), cursor.hash, cursor.timestamp);
    })();
  }

  /** Known block hashes, newest first (the reorg walk-back's candidates). */
  anchors(): Anchor[] {
    return (this.#s.anchors.all() as { number: number; hash: string; timestamp: number }[]).map((row) => ({
      number: BigInt(row.number),
      hash: row.hash as Hex,
      timestamp: row.timestamp,
    }));
  }

  /**
   * Applies the events of a block range and moves the cursor to its end, in one transaction.
   * Events already mirrored (same chain, transaction and log index) are skipped with all their
   * effects, so applying a range twice changes nothing.
   */
  apply(events: DecodedEvent[], anchors: Anchor[], cursor: Cursor): number {
    let added = 0;
    this.#db.transaction(() => {
      for (const event of events) {
        const inserted = this.#s.insertEvent.run(
          this.#chainId,
          Number(event.blockNumber),
          event.blockHash,
          event.txHash,
          event.logIndex,
          event.contract,
          event.address,
          event.name,
          JSON.stringify(event.args),
          event.nodeId,
          event.blobId,
          event.nameId,
          event.vaultId,
        );
        if (inserted.changes === 0) continue;
        added += 1;
        this.#projector.apply(event);
      }
      for (const anchor of [...anchors, cursor]) {
        this.#s.putAnchor.run(Number(anchor.number), anchor.hash, anchor.timestamp);
      }
      this.#s.setCursor.run(Number(cursor.number), cursor.hash, cursor.timestamp);
      this.#s.pruneAnchors.run(Number(cursor.number) - this.#window);
    })();
    return added;
  }

  /**
   * Undoes everything above block `ancestor` in one transaction: its events and facts go, and
   * every node, blob, name and vault they touched is rebuilt from the events that remain.
   */
  rollback(ancestor: Anchor): {
    events: number;
    nodes: number;
    blobs: number;
    names: number;
    vaults: number;
  } {
    let result = { events: 0, nodes: 0, blobs: 0, names: 0, vaults: 0 };
    this.#db.transaction(() => {
      const above = Number(ancestor.number);
      const nodes = (this.#s.touchedNodes.all(above) as { node_id: number }[]).map((r) => r.node_id);
      const blobs = (this.#s.touchedBlobs.all(above) as { blob_id: string }[]).map((r) => r.blob_id as Hex);
      const names = (this.#s.touchedNames.all(above) as { name_id: string }[]).map((r) => r.name_id as Hex);
      const vaults = (this.#s.touchedVaults.all(above) as { vault_id: number }[]).map((r) => r.vault_id);
      const events = this.#s.deleteEventsAbove.run(above).changes;
      for (const table of FACT_TABLES) this.#s.deleteFactsAbove[table].run(above);
      for (const nodeId of nodes) this.#projector.replayNode(nodeId);
      for (const blobId of blobs) this.#projector.replayBlob(blobId);
      for (const nameId of names) this.#projector.replayName(nameId);
      for (const vaultId of vaults) this.#projector.replayVault(vaultId);
      this.#s.deleteAnchorsAbove.run(above);
      this.#s.setCursor.run(above, ancestor.hash, ancestor.timestamp);
      result = {
        events,
        nodes: nodes.length,
        blobs: blobs.length,
        names: names.length,
        vaults: vaults.length,
      };
    })();
    return result;
  }
}

function statements(db: Db) {
  return {
    getMeta: db.prepare("SELECT value FROM meta WHERE key = ?"),
    setMeta: db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
    getCursor: db.prepare("SELECT block_number, block_hash, block_timestamp FROM cursor WHERE id = 1"),
    setCursor: db.prepare(
      `INSERT INTO cursor (id, block_number, block_hash, block_timestamp) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash,
         block_timestamp = excluded.block_timestamp`,
    ),
    anchors: db.prepare("SELECT number, hash, timestamp FROM blocks ORDER BY number DESC"),
    putAnchor: db.prepare("INSERT OR REPLACE INTO blocks (number, hash, timestamp) VALUES (?, ?, ?)"),
    pruneAnchors: db.prepare("DELETE FROM blocks WHERE number < ?"),
    deleteAnchorsAbove: db.prepare("DELETE FROM blocks WHERE number > ?"),
    insertEvent: db.prepare(
      `INSERT OR IGNORE INTO events (chain_id, block_number, block_hash, tx_hash, log_index, contract, address, name,
         args, node_id, blob_id, name_id, vault_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    touchedNodes: db.prepare(
      "SELECT DISTINCT node_id FROM events WHERE block_number > ? AND node_id IS NOT NULL",
    ),
    touchedVaults: db.prepare(
      "SELECT DISTINCT vault_id FROM events WHERE block_number > ? AND vault_id IS NOT NULL",
    ),
    touchedNames: db.prepare(
      "SELECT DISTINCT name_id FROM events WHERE block_number > ? AND name_id IS NOT NULL",
    ),
    touchedBlobs: db.prepare(
      "SELECT DISTINCT blob_id FROM events WHERE block_number > ? AND blob_id IS NOT NULL",
    ),
    deleteEventsAbove: db.prepare("DELETE FROM events WHERE block_number > ?"),
    deleteFactsAbove: Object.fromEntries(
      FACT_TABLES.map((table) => [table, db.prepare(`DELETE FROM ${table} WHERE block_number > ?`)]),
    ) as Record<(typeof FACT_TABLES)[number], ReturnType<Db["prepare"]>>,
  };
}
