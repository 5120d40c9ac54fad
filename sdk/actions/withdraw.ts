import type { ContractFunctionReturnType } from "viem";
import { nodeRegistryAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { type SentCall, sendCall } from "../client/contract-calls.ts";

export interface WithdrawParameters extends ActionOptions {
  nodeId: number;
}

export type WithdrawReturnType = SentCall<
  ContractFunctionReturnType<typeof nodeRegistryAbi, "nonpayable", "withdraw">
>;

/**
 * Pays a node's stake back to its operator once its unbonding delay has passed.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer: operator, indexerUrl });
 * const { hash } = await withdraw(client.context, { nodeId });
 */
export async function withdraw(ctx: ClientContext, params: WithdrawParameters): Promise<WithdrawReturnType> {
  return sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.registry,
      abi: nodeRegistryAbi,
      functionName: "withdraw",
      args: [params.nodeId],
    },
    sendOptionsOf(ctx, params.signal),
  );
}
