import type { Hex } from "viem";
import type { ColdLayout } from "#protocol";
import type { Logger } from "../../service/logger.ts";
import { attest, type SignedAttestation } from "../chain/attestor.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import { openHolder, type Registration, type Registrations } from "../chain/registrations.ts";
import { type BlobRecords, recordOf } from "../storage/blob-records.ts";
import type { ByteBudget } from "../storage/byte-budget.ts";
import { commitRecord } from "../storage/commit-record.ts";
import type { NodeStores } from "../storage/open-stores.ts";
import { checkRoots, coldRegistration } from "./cold-registration.ts";
import type { ShardStore } from "./shard-store.ts";

export interface ShardStored {
  blobId: Hex;
  cid: string;
  nodeId: number;
  holder: number;
  shardRoot: Hex;
  attestation: SignedAttestation;
}

type Signal = { signal?: AbortSignal };

/**
 * Takes in shards of paid cold registrations (PUT /shard, repairs): checked against their
 * commitments, written, recorded, enrolled and attested.
 */
export class ShardIntake {
  readonly #chain: ChainClient;
  readonly #registrations: Pick<Registrations, "get">;
  readonly #records: Pick<BlobRecords, "get" | "put">;
  readonly #stores: Pick<NodeStores, "flush">;
  readonly #shards: Pick<ShardStore, "write">;
  readonly #budget: Pick<ByteBudget, "checkRoom" | "hold">;
  readonly #logger: Logger;
  readonly stats = { shardsStored: 0 };

  constructor(deps: {
    chain: ChainClient;
    registrations: Pick<Registrations, "get">;
    records: Pick<BlobRecords, "get" | "put">;
    stores: Pick<NodeStores, "flush">;
    shards: Pick<ShardStore, "write">;
    budget: Pick<ByteBudget, "checkRoom" | "hold">;
    logger: Logger;
  }) {
    this.#chain = deps.chain;
    this.#registrations = deps.registrations;
    this.#records = deps.records;
    this.#stores = deps.stores;
    this.#shards = deps.shards;
    this.#budget = deps.budget;
    this.#logger = deps.logger;
  }

  /**
   * Takes in this node's shard of a cold blob: the registration names the node and is open, the
   * shard commitments hash to the registered commitment, the bytes match this holder's one; then
   * the shard is durable, recorded, enrolled and attested.
   */
  async storeShard(
    blobId: Hex,
    source: AsyncIterable<Uint8Array>,
    roots: readonly string[],
    options: Signal = {},
  ): Promise<ShardStored> {
    const { registration, layout } = await coldRegistration(this.#registrations, blobId, options);
    const holder = openHolder(registration, this.#chain.nodeId);
    const shardRoots = checkRoots(registration, roots);
    return this.keep(registration, layout, holder, shardRoots, source, options);
  }

  /** Writes, records, enrolls and attests holder `holder`'s shard. */
  async keep(
    registration: Registration,
    layout: ColdLayout,
    holder: number,
    shardRoots: Hex[],
    source: AsyncIterable<Uint8Array>,
    options: Signal,
  ): Promise<ShardStored> {
    const blobId = registration.blobId;
    const existing = await this.#records.get(blobId, options);
    if (!existing) this.#budget.checkRoom(layout.shardSize);
    const commitment = await this.#shards.write(
      blobId,
      source,
      { size: layout.shardSize, root: shardRoots[holder] as string },
      options,
    );
    const record = recordOf(
      registration,
      holder,
      {
        cid: registration.cid,
        commitment: shardRoots[holder] as Hex,
        groupRoots: Buffer.from(commitment.groupRoots).toString("base64"),
        shard: { size: layout.shardSize, nodes: layout.nodes, recovery: layout.recovery, roots: shardRoots },
      },
      existing?.storedAt ?? Date.now(),
    );
    const committing = { records: this.#records, stores: this.#stores, budget: this.#budget };
    await commitRecord(committing, record, !existing, options);
    const attestation = await attest(this.#chain, registration, holder, options);
    this.stats.shardsStored += 1;
    this.#logger.info({ blob_id: blobId, holder, shard_size: layout.shardSize }, "shard stored");
    return {
      blobId,
      cid: registration.cid,
      nodeId: this.#chain.nodeId,
      holder,
      shardRoot: shardRoots[holder] as Hex,
      attestation,
    };
  }
}
