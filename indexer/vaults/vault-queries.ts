import type { IndexedVault, IndexedVaultDetail, IndexedVaultSnapshot } from "../../api/vaults/index.ts";
import type { Db } from "../db/open-database.ts";

interface VaultRow {
  vault_id: number;
  owner: string;
  home: number;
  quota: number;
  price: string;
  escrow: string;
  paid_through: number;
  settled_at: number | null;
  sequence: number;
  manifest: string | null;
  closed: number;
  opened_block: number;
  updated_block: number;
}

interface FactRow {
  block_number: number;
  block_hash: string;
  tx_hash: string;
  log_index: number;
}

const blockOf = (row: FactRow) => ({
  number: row.block_number,
  hash: row.block_hash,
  tx: row.tx_hash,
  logIndex: row.log_index,
});

/** Reads of the vaults, their snapshots and moves. */
export class VaultQueries {
  readonly #s: ReturnType<typeof statements>;

  constructor(db: Db) {
    this.#s = statements(db);
  }

  vaults(filter: { owner?: string; home?: number; limit: number; after?: number }) {
    const rows = this.#s.vaults.all({
      owner: filter.owner ?? null,
      home: filter.home ?? null,
      after: filter.after ?? 0,
      limit: filter.limit + 1,
    }) as VaultRow[];
    const page = rows.slice(0, filter.limit);
    return {
      vaults: page.map(stateOf),
      next: rows.length > filter.limit ? (page.at(-1)?.vault_id ?? null) : null,
    };
  }

  vault(vaultId: number): IndexedVaultDetail | undefined {
    const row = this.#s.vault.get(vaultId) as VaultRow | undefined;
    if (!row) return undefined;
    const moves = (
      this.#s.moves.all(vaultId) as (FactRow & { from_node: number; to_node: number; sequence: number })[]
    ).map((m) => ({ from: m.from_node, to: m.to_node, sequence: m.sequence, block: blockOf(m) }));
    return { ...stateOf(row), moves };
  }

  snapshots(vaultId: number): IndexedVaultSnapshot[] | undefined {
    if (!this.#s.vault.get(vaultId)) return undefined;
    return (
      this.#s.snapshots.all(vaultId) as (FactRow & {
        sequence: number;
        manifest: string;
        blobs: string;
        committer: string;
      })[]
    ).map((r) => ({
      sequence: r.sequence,
      manifest: r.manifest,
      blobs: JSON.parse(r.blobs) as string[],
      committer: r.committer,
      block: blockOf(r),
    }));
  }
}

function stateOf(row: VaultRow): IndexedVault {
  return {
    vaultId: row.vault_id,
    owner: row.owner,
    home: row.home,
    quota: row.quota,
    pricePerByteEpoch: row.price,
    escrow: row.escrow,
    paidThrough: row.paid_through,
    settledAt: row.settled_at,
    sequence: row.sequence,
    manifest: row.manifest,
    closed: row.closed === 1,
    openedBlock: row.opened_block,
    updatedBlock: row.updated_block,
  };
}

function statements(db: Db) {
  return {
    vaults: db.prepare(`SELECT * FROM vaults WHERE (@owner IS NULL OR owner = @owner)
      AND (@home IS NULL OR home = @home) AND vault_id > @after ORDER BY vault_id LIMIT @limit`),
    vault: db.prepare("SELECT * FROM vaults WHERE vault_id = ?"),
    moves: db.prepare("SELECT * FROM vault_moves WHERE vault_id = ? ORDER BY block_number, log_index"),
    snapshots: db.prepare(
      "SELECT * FROM vault_snapshots WHERE vault_id = ? ORDER BY sequence DESC, block_number DESC, log_index DESC",
    ),
  };
}
