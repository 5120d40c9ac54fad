import type { Hex } from "viem";
import { storageMarketAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { sendCall } from "../client/contract-calls.ts";
import { heldBlobs } from "../client/held-blobs.ts";
import { readBlob } from "../client/read-blob.ts";
import { InvalidArgumentError } from "../errors.ts";

export interface ClaimParameters extends ActionOptions {
  nodeId: number;
  /** Blobs to claim on (default: every blob the indexer lists the node holding). */
  blobIds?: Hex[];
}

export interface ClaimReturnType {
  hash: Hex;
  /** Token base units paid to the operator. */
  amount: bigint;
  /** Blobs claimed on. */
  blobs: number;
}

/**
 * Claims a node's pay on every blob it holds (found through the indexer) for closed, proven
 * periods; returns the amount paid.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer: operator, indexerUrl });
 * const { amount } = await claim(client.context, { nodeId });
 */
export async function claim(ctx: ClientContext, params: ClaimParameters): Promise<ClaimReturnType> {
  const { nodeId, signal } = params;
  const signer = signerOf(ctx);
  const blobIds = params.blobIds ?? (await heldBlobs(ctx, nodeId, signal));
  const holders: number[] = [];
  for (const blobId of blobIds) {
    const info = await readBlob(ctx, blobId);
    const holder = info.holders.findIndex((h) => h.nodeId === nodeId);
    if (holder < 0) throw new InvalidArgumentError(`node ${nodeId} does not hold ${blobId}`);
    holders.push(holder);
  }
  const { hash, result } = await sendCall(
    ctx.publicClient,
    signer,
    {
      address: ctx.deployment.contracts.market,
      abi: storageMarketAbi,
      functionName: "claim",
      args: [nodeId, blobIds, holders],
    },
    sendOptionsOf(ctx, signal),
  );
  return { hash, amount: result, blobs: blobIds.length };
}
