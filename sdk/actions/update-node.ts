import type { ContractFunctionReturnType } from "viem";
import { nodeRegistryAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { type SentCall, sendCall } from "../client/contract-calls.ts";
import { type NodeParams, registryNodeParams } from "../client/node-params.ts";

export type UpdateNodeParameters = NodeParams & ActionOptions & { nodeId: number };

export type UpdateNodeReturnType = SentCall<
  ContractFunctionReturnType<typeof nodeRegistryAbi, "nonpayable", "update">
>;

/**
 * Replaces a registered node's signer, endpoint, addresses, tiers, capacity and price.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer: operator, indexerUrl });
 * await updateNode(client.context, { nodeId, ...node, endpoint: "https://new.example" });
 */
export async function updateNode(
  ctx: ClientContext,
  params: UpdateNodeParameters,
): Promise<UpdateNodeReturnType> {
  const { signal, nodeId, ...node } = params;
  return sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.registry,
      abi: nodeRegistryAbi,
      functionName: "update",
      args: [nodeId, registryNodeParams(node)],
    },
    sendOptionsOf(ctx, signal),
  );
}
