import { type Hex, toHex } from "viem";
import { createNodeClient } from "../../api/node/index.ts";
import { type ColdLayout, coldCommitmentOfStream, coldLayoutForFaults, Tier } from "../../protocol/index.ts";
import { describeFailure, InvalidArgumentError, UploadError } from "../errors.ts";
import type { PreparedSource, UploadOptions } from "./upload-types.ts";

/** A cold upload's layout and shard commitments, from one encoding pass over the prepared blob. */
export interface ColdPlan {
  layout: ColdLayout;
  shardRoots: Hex[];
  commitment: Hex;
}

export async function planCold(
  prepared: PreparedSource,
  holders: number,
  options: UploadOptions,
  signal?: AbortSignal,
): Promise<ColdPlan> {
  const faults = options.faults ?? Math.max(1, Math.floor((holders - 1) / 3));
  if (!Number.isInteger(faults) || faults < 0 || faults >= holders) {
    throw new InvalidArgumentError(
      `faults must be an integer from 0 to ${holders - 1} for ${holders} shard holders`,
    );
  }
  const layout = coldLayoutForFaults(prepared.size, holders, faults);
  const { shardRoots, commitment } = await coldCommitmentOfStream(prepared.open(), layout, signal);
  return { layout, shardRoots: shardRoots.map((root) => toHex(root)), commitment: toHex(commitment) };
}

export function coldSummary(plan: ColdPlan) {
  return {
    recovery: plan.layout.recovery,
    faults: plan.layout.nodes - plan.layout.recovery,
    shardSize: plan.layout.shardSize,
    shardRoots: plan.shardRoots,
  };
}

/** Asks a hot holder to fill cold registration `coldBlobId` from its copy (POST /migrate). */
export async function migrateThrough(
  via: { blobId: Hex; endpoint: string },
  coldBlobId: Hex,
  signal?: AbortSignal,
): Promise<{ transaction: Hex }> {
  let why: string;
  try {
    const node = createNodeClient({ baseUrl: via.endpoint });
    const reply = await node.postMigrate({ blobId: via.blobId, to: "cold", coldBlobId }, { signal });
    if (reply.transaction && reply.certified) return { transaction: reply.transaction as Hex };
    why = "the node did not certify the cold blob";
  } catch (error) {
    signal?.throwIfAborted();
    why = describeFailure(error);
  }
  throw new UploadError(coldBlobId, [{ nodeId: 0, endpoint: via.endpoint, error: why }], [], 0);
}

/** What a cold registration adds to a hot one: the tier, the cold commitment and the shard layout. */
export function coldParams(plan: ColdPlan) {
  return {
    tier: Tier.cold,
    commitment: plan.commitment,
    shardSize: BigInt(plan.layout.shardSize),
    recovery: plan.layout.recovery,
  };
}
