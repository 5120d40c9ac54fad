import type { ContractFunctionReturnType } from "viem";
import { nodeRegistryAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { type SentCall, sendCall } from "../client/contract-calls.ts";

export interface RequestUnstakeParameters extends ActionOptions {
  nodeId: number;
}

export type RequestUnstakeReturnType = SentCall<
  ContractFunctionReturnType<typeof nodeRegistryAbi, "nonpayable", "requestUnstake">
>;

/**
 * Starts the unbonding of a node's stake; {@link withdraw} pays it back once the registry's
 * unbonding delay has passed.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer: operator, indexerUrl });
 * const { hash } = await requestUnstake(client.context, { nodeId });
 */
export async function requestUnstake(
  ctx: ClientContext,
  params: RequestUnstakeParameters,
): Promise<RequestUnstakeReturnType> {
  return sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.registry,
      abi: nodeRegistryAbi,
      functionName: "requestUnstake",
      args: [params.nodeId],
    },
    sendOptionsOf(ctx, params.signal),
  );
}
