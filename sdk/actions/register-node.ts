import { type Hex, parseEventLogs } from "viem";
import { nodeRegistryAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { sendCall } from "../client/contract-calls.ts";
import { type NodeParams, registryNodeParams } from "../client/node-params.ts";
import { StrataError } from "../errors.ts";

export type RegisterNodeParameters = NodeParams & ActionOptions;

export interface RegisterNodeReturnType {
  /** The id the registry gave the node. */
  nodeId: number;
  hash: Hex;
}

/**
 * Registers a storage node operated by the signer and returns its id; staking comes next.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer: operator, indexerUrl });
 * const { nodeId } = await registerNode(client.context, {
 *   signer: nodeSigner, endpoint: "https://node.example", peerId, capacity: 2n ** 40n, pricePerByteEpoch: 1_000n,
 * });
 */
export async function registerNode(
  ctx: ClientContext,
  params: RegisterNodeParameters,
): Promise<RegisterNodeReturnType> {
  const { signal, ...node } = params;
  const { receipt, hash } = await sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.registry,
      abi: nodeRegistryAbi,
      functionName: "register",
      args: [registryNodeParams(node)],
    },
    sendOptionsOf(ctx, signal),
  );
  const [event] = parseEventLogs({ abi: nodeRegistryAbi, logs: receipt.logs, eventName: "NodeRegistered" });
  if (!event) throw new StrataError("STRATA_ERR_CHAIN", "register succeeded without a NodeRegistered event");
  return { nodeId: Number(event.args.nodeId), hash };
}
