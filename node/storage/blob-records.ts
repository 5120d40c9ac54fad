import type { Datastore } from "interface-datastore";
import { Key } from "interface-datastore";
import type { Address, Hex } from "viem";
import type { Registration } from "../chain/registrations.ts";

/** What the node knows of a blob it holds. */
export interface BlobRecord {
  blobId: Hex;
  cid: string;
  size: number;
  commitment: Hex;
  /** The commitment's 1 MiB group roots (docs/protocol.md), base64: proofs are built from them. */
  groupRoots: string;
  tier: "hot" | "cold";
  holder: number;
  owner: Address;
  name: string;
  mimeType: string;
  /** pending: stored, not certified yet; certified: its term runs; ended: kept until unpinned. */
  state: "pending" | "certified" | "ended";
  /** Unix seconds by which the blob must be certified. */
  certifyDeadline: number;
  /** The period the term ends (exclusive), once certified. */
  endPeriod?: number | undefined;
  storedAt: number;
  /**
   * The chain dropped this node from the blob (missed proofs): it is no longer paid, but keeps
   * and serves its copy until every holder slot of the blob is live again or the blob ends.
   */
  dropped?: boolean | undefined;
  /**
   * Cold: this node keeps holder `holder`'s shard (`commitment` and `groupRoots` are the shard's;
   * `size` stays the blob's), and the layout and every shard commitment, for readers and repairs.
   */
  shard?: { size: number; nodes: number; recovery: number; roots: Hex[] };
}

/**
 * The record of what holder `holder` of `registration` keeps: the content's own fields (CID,
 * commitment and group roots it proves against; the shard for cold) and what the chain fixed.
 */
export function recordOf(
  registration: Registration,
  holder: number,
  content: Pick<BlobRecord, "cid" | "commitment" | "groupRoots" | "shard">,
  storedAt: number,
): BlobRecord {
  const certified = registration.status === "certified";
  return {
    blobId: registration.blobId,
    cid: content.cid,
    size: registration.size,
    commitment: content.commitment,
    groupRoots: content.groupRoots,
    tier: registration.tier,
    holder,
    owner: registration.owner,
    name: registration.name,
    mimeType: registration.mimeType,
    state: certified ? "certified" : "pending",
    certifyDeadline: registration.certifyDeadline,
    ...(certified ? { endPeriod: registration.endPeriod } : {}),
    storedAt,
    ...(content.shard ? { shard: content.shard } : {}),
  };
}

/** Bytes a record keeps on disk: the blob for hot, its shard for cold. */
export function storedBytes(record: BlobRecord): number {
  return record.shard ? record.shard.size : record.size;
}

const BLOBS = "/strata/blobs";
const CIDS = "/strata/cids";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Blob records in the node's datastore, with an index from CID to blob ids. */
export class BlobRecords {
  readonly #datastore: Datastore;

  constructor(datastore: Datastore) {
    this.#datastore = datastore;
  }

  async get(
    blobId: Hex,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<BlobRecord | undefined> {
    try {
      return JSON.parse(
        decoder.decode(
          await this.#datastore.get(
            new Key(`${BLOBS}/${blobId}`),
            options.signal ? { signal: options.signal } : {},
          ),
        ),
      );
    } catch (error) {
      if ((error as Error).name === "NotFoundError") return undefined;
      throw error;
    }
  }

  /** Writes (or replaces) a record and its CID index entry. */
  async put(record: BlobRecord, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const batch = this.#datastore.batch();
    batch.put(new Key(`${BLOBS}/${record.blobId}`), encoder.encode(JSON.stringify(record)));
    batch.put(new Key(`${CIDS}/${record.cid}/${record.blobId}`), new Uint8Array(0));
    await batch.commit(options.signal ? { signal: options.signal } : {});
  }

  async delete(record: BlobRecord, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const batch = this.#datastore.batch();
    batch.delete(new Key(`${BLOBS}/${record.blobId}`));
    batch.delete(new Key(`${CIDS}/${record.cid}/${record.blobId}`));
    await batch.commit(options.signal ? { signal: options.signal } : {});
  }

  /** The records of every blob with this CID (the same bytes may be registered more than once). */
  async byCid(cid: string, options: { signal?: AbortSignal | undefined } = {}): Promise<BlobRecord[]> {
    const records: BlobRecord[] = [];
    for await (const key of this.#datastore.queryKeys(
      { prefix: `${CIDS}/${cid}/` },
      options.signal ? { signal: options.signal } : {},
    )) {
      const record = await this.get(key.baseNamespace() as Hex, options);
      if (record) records.push(record);
    }
    return records;
  }

  async *all(options: { signal?: AbortSignal | undefined } = {}): AsyncGenerator<BlobRecord> {
    for await (const { value } of this.#datastore.query(
      { prefix: `${BLOBS}/` },
      options.signal ? { signal: options.signal } : {},
    )) {
      yield JSON.parse(decoder.decode(value)) as BlobRecord;
    }
  }
}
