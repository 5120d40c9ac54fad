import type { Hex } from "viem";
import { nodeRegistryAbi, storageMarketAbi } from "../../protocol/index.ts";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";
import { readCall, revertOf } from "../client/contract-calls.ts";
import { contractError } from "../client/contract-errors.ts";
import { heldBlobs } from "../client/held-blobs.ts";
import { readBlob } from "../client/read-blob.ts";

export interface UnclaimedPayParameters extends ActionOptions {
  nodeId: number;
  /** Blobs to count (default: every blob the indexer lists the node holding). */
  blobIds?: Hex[];
}

export interface UnclaimedPayReturnType {
  /** Token base units a claim now would pay the operator: proven, closed periods plus credit. */
  amount: bigint;
  /** Of which credit from settled blobs and replaced places. */
  credit: bigint;
  /** Blobs counted. */
  blobs: number;
}

/**
 * What {@link claim} would pay the node's operator now, found by simulating the claim as the
 * operator (nothing is sent): pay for closed, proven periods on the node's blobs, plus its credit.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, indexerUrl });
 * const { amount } = await unclaimedPay(client.context, { nodeId: 1 });
 */
export async function unclaimedPay(
  ctx: Pick<ClientContext, "publicClient" | "deployment" | "indexer">,
  params: UnclaimedPayParameters,
): Promise<UnclaimedPayReturnType> {
  const { nodeId, signal } = params;
  const { market, registry } = ctx.deployment.contracts;
  const [[operator], credit] = await Promise.all([
    readCall(ctx.publicClient, {
      address: registry,
      abi: nodeRegistryAbi,
      functionName: "nodeAccounts",
      args: [nodeId],
    }),
    readCall(ctx.publicClient, {
      address: market,
      abi: storageMarketAbi,
      functionName: "creditOf",
      args: [nodeId],
    }),
  ]);
  const candidates = params.blobIds ?? (await heldBlobs(ctx, nodeId, signal));
  const blobIds: Hex[] = [];
  const holders: number[] = [];
  for (const blobId of candidates) {
    signal?.throwIfAborted();
    const holder = (await readBlob(ctx, blobId)).holders.findIndex((h) => h.nodeId === nodeId);
    if (holder < 0) continue;
    blobIds.push(blobId);
    holders.push(holder);
  }
  try {
    const { result } = await ctx.publicClient.simulateContract({
      address: market,
      abi: storageMarketAbi,
      functionName: "claim",
      args: [nodeId, blobIds, holders],
      account: operator,
    });
    return { amount: result, credit, blobs: blobIds.length };
  } catch (error) {
    if (revertOf(error, "claim")?.errorName === "StorageMarketNothingToClaim")
      return { amount: 0n, credit, blobs: blobIds.length };
    throw contractError("claim", error);
  }
}
