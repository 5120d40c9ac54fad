import type { Hex } from "viem";
import type { IndexedPayment } from "../../api/indexer/index.ts";
import { InvalidQueryError } from "../errors.ts";
import type { ChainTime } from "./chain-clock.ts";
import type { Db } from "./open-database.ts";
import { BLOB_COLUMNS, BLOB_STATE } from "./query-columns.ts";
import type { BlobRow, BlobState, HolderRow, ProvenanceRow } from "./query-rows.ts";
import { blobEntry, provenanced } from "./row-mappers.ts";

export interface BlobFilters {
  owner?: string;
  /** Blobs this node holds (registered for it, not dropped or pruned). */
  node?: number;
  tag?: string;
  mimeType?: string;
  tier?: "hot" | "cold";
  status?: BlobState;
  limit: number;
  after?: string;
}

/** Blob listings, one blob with its holders and history, and full-text search. */
export class BlobQueries {
  readonly #db: Db;
  readonly #time: () => ChainTime;
  readonly #s: ReturnType<typeof statements>;

  constructor(db: Db, time: () => ChainTime) {
    this.#db = db;
    this.#time = time;
    this.#s = statements(db);
  }

  blobs(filters: BlobFilters) {
    const where: string[] = [];
    const params: Record<string, unknown> = { ...this.#time(), limit: filters.limit + 1 };
    if (filters.owner) {
      where.push("b.owner = @owner");
      params.owner = filters.owner;
    }
    if (filters.node !== undefined) {
      where.push(
        "b.blob_id IN (SELECT blob_id FROM blob_holders WHERE node_id = @node AND dropped = 0 AND pruned = 0)",
      );
      params.node = filters.node;
    }
    if (filters.tag) {
      where.push("b.blob_id IN (SELECT blob_id FROM blob_tags WHERE tag = @tag)");
      params.tag = filters.tag;
    }
    if (filters.mimeType) {
      where.push("b.mime_type = @mime");
      params.mime = filters.mimeType;
    }
    if (filters.tier) {
      where.push("b.tier = @tier");
      params.tier = filters.tier;
    }
    if (filters.status) {
      where.push(`${BLOB_STATE} = @state`);
      params.state = filters.status;
    }
    if (filters.after) {
      const anchor = this.#s.blobKey.get(filters.after) as { registered_block: number } | undefined;
      if (!anchor) throw new InvalidQueryError(`after: no blob ${filters.after.slice(0, 80)}`);
      where.push("(b.registered_block, b.blob_id) < (@after_block, @after_id)");
      params.after_block = anchor.registered_block;
      params.after_id = filters.after;
    }
    const sql = `SELECT ${BLOB_COLUMNS} FROM blobs b ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY b.registered_block DESC, b.blob_id DESC LIMIT @limit`;
    const rows = this.#db.prepare(sql).all(params) as BlobRow[];
    const more = rows.length > filters.limit;
    const page = rows.slice(0, filters.limit).map(blobEntry);
    return { blobs: page, next: more ? (page.at(-1)?.blobId ?? null) : null };
  }

  blob(blobId: Hex) {
    const row = this.#s.blob.get({ id: blobId.toLowerCase(), ...this.#time() }) as BlobRow | undefined;
    if (!row) return undefined;
    const holders = this.#s.holders.all(row.blob_id) as HolderRow[];
    return {
      ...blobEntry(row),
      holders: holders.map((h) => ({
        holder: h.holder,
        nodeId: h.node_id,
        endpoint: h.endpoint,
        enrolled: h.enrolled === 1,
        dropped: h.dropped === 1,
        pruned: h.pruned === 1,
      })),
      certificates: (this.#s.certificates.all(row.blob_id) as ProvenanceRow[]).map(provenanced),
      payments: (this.#s.payments.all(row.blob_id) as ProvenanceRow[]).map(provenanced) as IndexedPayment[],
    };
  }

  /** Full-text search over names, tags and MIME types; `q` is plain words (prefixes match). */
  search(q: string, limit: number) {
    const terms = q.match(/[\p{L}\p{N}_]+/gu) ?? [];
    if (terms.length === 0) throw new InvalidQueryError("q: give at least one word to search for");
    if (terms.length > 16) throw new InvalidQueryError("q: at most 16 words");
    // every word quoted (never FTS5 syntax), each a prefix, all required
    const match = terms.map((term) => `"${term}"*`).join(" ");
    const rows = this.#s.search.all({ match, limit, ...this.#time() }) as (BlobRow & { rank: number })[];
    return rows.map((row) => ({ ...blobEntry(row), rank: row.rank }));
  }
}

function statements(db: Db) {
  return {
    blobKey: db.prepare("SELECT registered_block FROM blobs WHERE blob_id = ?"),
    blob: db.prepare(`SELECT ${BLOB_COLUMNS} FROM blobs b WHERE b.blob_id = @id`),
    holders: db.prepare(`SELECT hb.holder, hb.node_id, n.endpoint, hb.enrolled, hb.dropped, hb.pruned
      FROM blob_holders hb LEFT JOIN nodes n ON n.node_id = hb.node_id WHERE hb.blob_id = ? ORDER BY hb.holder`),
    certificates: db.prepare("SELECT * FROM certificates WHERE blob_id = ? ORDER BY block_number, log_index"),
    payments: db.prepare("SELECT * FROM payments WHERE blob_id = ? ORDER BY block_number, log_index"),
    search:
      db.prepare(`SELECT ${BLOB_COLUMNS}, s.rank AS rank FROM blob_search s JOIN blobs b ON b.blob_id = s.blob_id
      WHERE blob_search MATCH @match ORDER BY s.rank, b.registered_block DESC LIMIT @limit`),
  };
}
