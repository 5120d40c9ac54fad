import type { Hex } from "viem";
import type { IndexedName, IndexedNameUpdate, NameHistory, NamesPage } from "../../api/names/index.ts";
import type { Db } from "../db/open-database.ts";
import { sequenceKey } from "./project-name.ts";

interface NameRow {
  name_id: string;
  owner: string;
  label: string;
  value: string;
  path: string;
  sequence: string;
  validity: number;
  ttl: number;
  ipns_key: string;
  ipns_name: string;
  locked: number;
  updates: number;
  published_block: number;
  updated_block: number;
  updated_tx: string;
  has_record: number;
}

interface UpdateRow {
  sequence: string;
  value: string;
  path: string;
  validity: number;
  ttl: number;
  ipns_name: string;
  block_number: number;
  block_hash: string;
  tx_hash: string;
  log_index: number;
}

/** An IPNS record that matches its name's current chain update field for field. */
const ANCHORED = `r.ipns_name = n.ipns_name AND r.sequence = n.sequence AND r.path = n.path
  AND r.validity = n.validity AND r.ttl = n.ttl AND r.public_key = lower(n.ipns_key)`;

const NAME_COLUMNS = `n.*, EXISTS (SELECT 1 FROM ipns_records r WHERE ${ANCHORED}) AS has_record`;

/** Reads of the names, their histories and the anchored IPNS records. `now` is wall-clock seconds. */
export class NameQueries {
  readonly #s: ReturnType<typeof statements>;
  readonly #now: () => number;

  constructor(db: Db, options: { now?: () => number } = {}) {
    this.#s = statements(db);
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  name(nameId: Hex): IndexedName | undefined {
    const row = this.#s.name.get(nameId.toLowerCase()) as NameRow | undefined;
    return row && this.#state(row);
  }

  /** Names of an owner, or under an IPNS name, or all, by name id. */
  names(filter: { owner?: string; ipnsName?: string; limit: number; after?: string }): NamesPage {
    const params = {
      owner: filter.owner ?? null,
      ipns_name: filter.ipnsName ?? null,
      after: filter.after?.toLowerCase() ?? "",
      limit: filter.limit + 1,
    };
    const rows = this.#s.names.all(params) as NameRow[];
    const page = rows.slice(0, filter.limit);
    return {
      names: page.map((row) => this.#state(row)),
      next: rows.length > filter.limit ? (page.at(-1)?.name_id ?? null) : null,
    };
  }

  /** Updates of a name, newest first, below sequence `before`; undefined for an unknown name. */
  history(nameId: Hex, page: { limit: number; before?: string }): NameHistory | undefined {
    const id = nameId.toLowerCase();
    if (!this.#s.name.get(id)) return undefined;
    const rows = this.#s.history.all({
      name_id: id,
      before: page.before === undefined ? "99999999999999999999" : sequenceKey(page.before),
      limit: page.limit + 1,
    }) as UpdateRow[];
    const updates = rows.slice(0, page.limit).map(updateOf);
    return {
      nameId: id,
      updates,
      next: rows.length > page.limit ? (updates.at(-1)?.sequence ?? null) : null,
    };
  }

  /**
   * The IPNS record to answer `GET /routing/v1/ipns/{ipnsName}` with: the record of the current
   * chain update of a name mirrored under it (highest sequence first), while its validity lasts.
   */
  anchoredRecord(ipnsName: string): { record: Uint8Array; ttl: number; validity: number } | undefined {
    const row = this.#s.anchored.get(ipnsName, this.#now()) as
      | { record: Buffer; ttl: number; validity: number }
      | undefined;
    return row && { record: new Uint8Array(row.record), ttl: row.ttl, validity: row.validity };
  }

  #state(row: NameRow): IndexedName {
    const network = this.#s.network.get(row.ipns_name, row.sequence, this.#now()) as
      | { sequence: string; path: string; validity: number }
      | undefined;
    return {
      nameId: row.name_id,
      owner: row.owner,
      label: row.label,
      value: row.value,
      path: row.path,
      sequence: BigInt(row.sequence).toString(),
      validity: row.validity,
      ttl: row.ttl,
      ipnsKey: row.ipns_key,
      ipnsName: row.ipns_name,
      locked: row.locked === 1,
      expired: row.validity <= this.#now(),
      updates: row.updates,
      publishedBlock: row.published_block,
      updatedBlock: row.updated_block,
      updatedTx: row.updated_tx,
      ipnsRecord: row.has_record === 1,
      network: network ? { ...network, sequence: BigInt(network.sequence).toString() } : null,
    };
  }
}

function updateOf(row: UpdateRow): IndexedNameUpdate {
  return {
    sequence: BigInt(row.sequence).toString(),
    value: row.value,
    path: row.path,
    validity: row.validity,
    ttl: row.ttl,
    ipnsName: row.ipns_name,
    block: { number: row.block_number, hash: row.block_hash, tx: row.tx_hash, logIndex: row.log_index },
  };
}

function statements(db: Db) {
  return {
    name: db.prepare(`SELECT ${NAME_COLUMNS} FROM names n WHERE n.name_id = ?`),
    names: db.prepare(`SELECT ${NAME_COLUMNS} FROM names n
      WHERE (@owner IS NULL OR n.owner = @owner) AND (@ipns_name IS NULL OR n.ipns_name = @ipns_name)
        AND n.name_id > @after
      ORDER BY n.name_id LIMIT @limit`),
    history:
      db.prepare(`SELECT sequence, value, path, validity, ttl, ipns_name, block_number, block_hash, tx_hash,
        log_index FROM name_updates WHERE name_id = @name_id AND sequence < @before
      ORDER BY sequence DESC, block_number DESC, log_index DESC LIMIT @limit`),
    anchored: db.prepare(`SELECT r.record, n.ttl, n.validity FROM names n JOIN ipns_records r ON ${ANCHORED}
      WHERE n.ipns_name = ? AND n.validity > ? ORDER BY n.sequence DESC LIMIT 1`),
    network: db.prepare(`SELECT sequence, path, validity FROM ipns_records
      WHERE ipns_name = ? AND sequence > ? AND validity > ? ORDER BY sequence DESC LIMIT 1`),
  };
}
