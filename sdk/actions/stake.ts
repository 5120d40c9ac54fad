import type { ContractFunctionReturnType } from "viem";
import { nodeRegistryAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signing } from "../client/client-context.ts";
import { type SentCall, sendCall } from "../client/contract-calls.ts";
import { spendTokens } from "../client/spend-tokens.ts";

export interface StakeParameters extends ActionOptions {
  nodeId: number;
  /** Token base units to add to the node's stake. */
  amount: bigint;
}

export type StakeReturnType = SentCall<
  ContractFunctionReturnType<typeof nodeRegistryAbi, "nonpayable", "stake">
>;

/**
 * Approves the registry for `amount` and stakes it on `nodeId`; a node is active once its stake
 * reaches the minimum.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer: operator, indexerUrl });
 * await stake(client.context, { nodeId, amount: 200n * 10n ** 18n });
 */
export async function stake(ctx: ClientContext, params: StakeParameters): Promise<StakeReturnType> {
  const { nodeId, amount, signal } = params;
  const signed = signing(ctx);
  const registry = ctx.deployment.contracts.registry;
  return spendTokens(signed, { spender: registry, amount, signal }, () =>
    sendCall(
      ctx.publicClient,
      signed.signer,
      { address: registry, abi: nodeRegistryAbi, functionName: "stake", args: [nodeId, amount] },
      sendOptionsOf(ctx, signal),
    ),
  );
}
