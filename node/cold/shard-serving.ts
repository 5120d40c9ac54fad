import type { Hex } from "viem";
import { coldLayout, primaryPart, StripeCodec } from "#protocol";
import { InvalidShardsError, NotFoundError } from "../errors.ts";
import type { BlobRecord, BlobRecords } from "../storage/blob-records.ts";
import type { ShardStore } from "./shard-store.ts";

/** A cold record of this node with its shard on disk. */
export type HeldShard = BlobRecord & { shard: NonNullable<BlobRecord["shard"]> };

type Signal = { signal?: AbortSignal | undefined };

/**
 * Serves this node's shards to other nodes: primary parts or whole shards (readers rebuilding a
 * blob), repair symbols (a holder rebuilding its shard), and the record behind /meta.
 */
export class ShardServing {
  readonly #records: Pick<BlobRecords, "get">;
  readonly #shards: Pick<ShardStore, "size" | "stripes">;
  readonly stats = { repairBytesOut: 0 };

  constructor(deps: { records: Pick<BlobRecords, "get">; shards: Pick<ShardStore, "size" | "stripes"> }) {
    this.#records = deps.records;
    this.#shards = deps.shards;
  }

  /** This node's cold record of `blobId`, with its shard on disk. */
  async heldShard(blobId: Hex, options: Signal = {}): Promise<HeldShard> {
    const record = await this.#records.get(blobId, options);
    if (!record?.shard || (await this.#shards.size(blobId)) !== record.shard.size) {
      throw new NotFoundError(`shard of ${blobId}`);
    }
    return record as HeldShard;
  }

  /** Streams this node's primary parts (`whole`: its whole shard) of `blobId`. */
  async *serveShard(blobId: Hex, whole: boolean, options: Signal = {}): AsyncGenerator<Uint8Array> {
    const record = await this.heldShard(blobId, options);
    const layout = coldLayout(record.size, record.shard.nodes, record.shard.recovery);
    const part = whole ? { from: 0, length: layout.shardStripeBytes } : primaryPart(layout, record.holder);
    yield* this.#shards.stripes(blobId, layout, part, options);
  }

  /** Streams, stripe by stripe, the repair symbols this node's shard gives toward holder `lost`'s. */
  async *serveRepairSymbols(blobId: Hex, lost: number, options: Signal = {}): AsyncGenerator<Uint8Array> {
    const record = await this.heldShard(blobId, options);
    if (!Number.isInteger(lost) || lost < 0 || lost >= record.shard.nodes || lost === record.holder) {
      throw new InvalidShardsError(`holder ${lost} is not another holder of ${blobId}`);
    }
    const layout = coldLayout(record.size, record.shard.nodes, record.shard.recovery);
    const codec = new StripeCodec(layout);
    for await (const part of this.#shards.stripes(
      blobId,
      layout,
      { from: 0, length: layout.shardStripeBytes },
      options,
    )) {
      const out = new Uint8Array(layout.symbolSize);
      codec.repairSymbols(lost, part, out);
      this.stats.repairBytesOut += out.length;
      yield out;
    }
  }
}
