import type { Address, Hex } from "viem";
import type { IndexedBlobDetail } from "../../api/indexer/index.ts";
import {
  type BlobStatusName,
  blobStatusName,
  holdersIn,
  type TierName,
  tierName,
} from "../../protocol/index.ts";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";
import { revertOf } from "../client/contract-calls.ts";
import { type MarketBlob, readBlob } from "../client/read-blob.ts";
import { StrataError } from "../errors.ts";

export interface StatusParameters extends ActionOptions {
  blobId: Hex;
}

/** A blob as the chain has it now, with what the indexer knows of it. */
export interface StatusReturnType {
  blobId: Hex;
  owner: Address;
  status: BlobStatusName;
  tier: TierName;
  size: number;
  epochs: MarketBlob["epochs"];
  /** Holders whose attestations were counted. */
  attested: number;
  quorum: MarketBlob["quorum"];
  /** Holder places attested and not dropped: below `targetHolders`, the blob is healing. */
  liveHolders: number;
  targetHolders: number;
  /** Holders dropped for missed proofs whose places are not taken yet. */
  droppedHolders: number;
  startPeriod: MarketBlob["startPeriod"];
  endPeriod: MarketBlob["endPeriod"];
  escrow: bigint;
  /** Node ids of the holders, in holder order. */
  nodes: number[];
  /** The indexer's record (name, tags, holders' endpoints), if it has one yet. */
  indexed: IndexedBlobDetail | undefined;
}

/**
 * A blob as the chain has it now (status, tier, holders, escrow), with what the indexer knows
 * (name, tags, holders' endpoints). An unknown blob is a StrataError `STRATA_ERR_NOT_FOUND`.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, indexerUrl });
 * const { status, liveHolders, targetHolders } = await status(client.context, { blobId });
 */
export async function status(
  ctx: Pick<ClientContext, "publicClient" | "deployment" | "indexer">,
  params: StatusParameters,
): Promise<StatusReturnType> {
  const { blobId, signal } = params;
  const info = await readBlob(ctx, blobId).catch((error: unknown) => {
    if (revertOf(error, "getBlob")?.errorName === "StorageMarketUnknownBlob") {
      throw new StrataError("STRATA_ERR_NOT_FOUND", `no blob ${blobId}`, { cause: error });
    }
    throw error;
  });
  const indexed = await ctx.indexer.blob(blobId, { signal }).catch(() => undefined);
  return {
    blobId,
    owner: info.owner,
    status: blobStatusName(info.status),
    tier: tierName(info.tier),
    size: Number(info.size),
    epochs: info.epochs,
    attested: holdersIn(info.attested),
    quorum: info.quorum,
    liveHolders: holdersIn(info.attested & ~info.dropped),
    targetHolders: info.holders.length,
    droppedHolders: holdersIn(info.dropped),
    startPeriod: info.startPeriod,
    endPeriod: info.endPeriod,
    escrow: info.escrow,
    nodes: info.holders.map((holder) => holder.nodeId),
    indexed,
  };
}
