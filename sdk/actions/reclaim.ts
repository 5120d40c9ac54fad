import type { ContractFunctionReturnType, Hex } from "viem";
import { storageMarketAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { type SentCall, sendCall } from "../client/contract-calls.ts";

export interface ReclaimParameters extends ActionOptions {
  blobId: Hex;
}

export type ReclaimReturnType = SentCall<
  ContractFunctionReturnType<typeof storageMarketAbi, "nonpayable", "reclaim">
>;

/**
 * Refunds an upload that was never certified, once its certification deadline has passed.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * const { hash } = await reclaim(client.context, { blobId });
 */
export async function reclaim(ctx: ClientContext, params: ReclaimParameters): Promise<ReclaimReturnType> {
  return sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.market,
      abi: storageMarketAbi,
      functionName: "reclaim",
      args: [params.blobId],
    },
    sendOptionsOf(ctx, params.signal),
  );
}
