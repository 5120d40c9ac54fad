import type { ContractFunctionReturnType, Hex } from "viem";
import { storageMarketAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { type SentCall, sendCall } from "../client/contract-calls.ts";

export interface SettleParameters extends ActionOptions {
  blobId: Hex;
}

export type SettleReturnType = SentCall<
  ContractFunctionReturnType<typeof storageMarketAbi, "nonpayable", "settle">
>;

/**
 * Closes a blob whose term has ended: its holders are credited what they earned and did not
 * claim (they take it with their next claim), the rest of the escrow goes back to the owner.
 * Anyone may call it.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * const { hash } = await settle(client.context, { blobId });
 */
export async function settle(ctx: ClientContext, params: SettleParameters): Promise<SettleReturnType> {
  return sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.market,
      abi: storageMarketAbi,
      functionName: "settle",
      args: [params.blobId],
    },
    sendOptionsOf(ctx, params.signal),
  );
}
