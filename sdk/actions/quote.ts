import { storageMarketAbi, Tier, type TierName } from "../../protocol/index.ts";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";
import { readCall } from "../client/contract-calls.ts";
import { selectNodes } from "../client/select-nodes.ts";

export interface QuoteParameters extends ActionOptions {
  /** Bytes to store. */
  size: number;
  /** Epochs to pay for (default 1). */
  epochs?: number;
  tier?: TierName;
  /** Node ids to price; by default the `replicas` best the indexer lists. */
  nodes?: number[];
  /** How many nodes to pick when `nodes` is not given (default 3). */
  replicas?: number;
}

/** The price in token base units: the nodes' `cost`, the protocol `fee`, and their `total`. */
export interface QuoteReturnType {
  nodes: number[];
  cost: bigint;
  fee: bigint;
  total: bigint;
}

/**
 * The price of storing `size` bytes on `nodes` (or the `replicas` best) for `epochs`, plus the fee.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, indexerUrl });
 * const { total } = await quote(client.context, { size: 1_000_000, epochs: 4 });
 */
export async function quote(
  ctx: Pick<ClientContext, "publicClient" | "deployment" | "indexer">,
  params: QuoteParameters,
): Promise<QuoteReturnType> {
  const tier = params.tier ?? "hot";
  let nodes = params.nodes;
  if (!nodes) {
    const all = await ctx.indexer.nodes({ signal: params.signal });
    nodes = selectNodes(all, { count: params.replicas ?? 3, size: params.size, tier }).map((n) => n.nodeId);
  }
  nodes = [...nodes].sort((a, b) => a - b);
  const [cost, fee] = await readCall(ctx.publicClient, {
    address: ctx.deployment.contracts.market,
    abi: storageMarketAbi,
    functionName: "quote",
    args: [nodes, Tier[tier], BigInt(params.size), params.epochs ?? 1],
  });
  return { nodes, cost, fee, total: cost + fee };
}
