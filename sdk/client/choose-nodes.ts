import type { Address, PublicClient } from "viem";
import type { IndexedNode, IndexerClient } from "../../api/indexer/index.ts";
import { createNodeClient } from "../../api/node/index.ts";
import { ServiceError } from "../../api/service-error.ts";
import { nodeRegistryAbi, type TierName } from "../../protocol/index.ts";
import { describeFailure, InvalidArgumentError, type NodeFailure, NodeUnavailableError } from "../errors.ts";
import { readCall } from "./contract-calls.ts";
import { selectNodes } from "./select-nodes.ts";

const PREFLIGHT_TIMEOUT_MS = 3_000;
const ROUNDS = 4;

export interface ChooseNodesContext {
  publicClient: PublicClient;
  indexer: IndexerClient;
  registry: Address;
}

/**
 * The nodes an upload goes to, before anything is paid: `named` ones, or `replicas` picked
 * through the indexer. Each is checked first: active on chain now (the indexer may lag) and
 * answering GET /health with the chain in reach. A picked node that fails is left out and another
 * picked in its place; a named one that fails is a NodeUnavailableError.
 */
export async function chooseNodes(
  ctx: ChooseNodesContext,
  want: { size: number; tier: TierName; replicas: number; named?: number[] },
  signal?: AbortSignal,
): Promise<IndexedNode[]> {
  const nodes = await ctx.indexer.nodes({ signal });
  if (want.named) {
    const named = want.named.map((id) => {
      const node = nodes.find((candidate) => candidate.nodeId === id);
      if (!node) throw new InvalidArgumentError(`node ${id} is not registered (or not indexed yet)`);
      return node;
    });
    if (new Set(want.named).size !== want.named.length) throw new InvalidArgumentError("nodes repeat");
    const [refused] = await preflight(ctx, named, signal);
    if (refused) throw new NodeUnavailableError(refused);
    return named;
  }
  const refused = new Set<number>();
  for (let round = 1; ; round += 1) {
    // a refused node counts as down, so the choice (and its error, if too few are left) says so
    const candidates = nodes.map((node) =>
      refused.has(node.nodeId) ? { ...node, health: { ...node.health, available: false } } : node,
    ) as IndexedNode[];
    const picked = selectNodes(candidates, { count: want.replicas, size: want.size, tier: want.tier });
    const failures = await preflight(ctx, picked, signal);
    if (failures.length === 0 || round === ROUNDS) {
      if (failures[0]) throw new NodeUnavailableError(failures[0]);
      return picked;
    }
    for (const failure of failures) refused.add(failure.nodeId);
  }
}

/** The nodes among `nodes` that cannot take an upload now, and why. */
export async function preflight(
  ctx: Pick<ChooseNodesContext, "publicClient" | "registry">,
  nodes: readonly { nodeId: number; endpoint: string }[],
  signal?: AbortSignal,
): Promise<NodeFailure[]> {
  const checked = await Promise.all(
    nodes.map(async (node): Promise<NodeFailure | undefined> => {
      const active = await readCall(ctx.publicClient, {
        address: ctx.registry,
        abi: nodeRegistryAbi,
        functionName: "isActive",
        args: [node.nodeId],
      });
      if (!active) {
        return {
          ...node,
          code: "NODE_ERR_NODE_INACTIVE",
          error: "NODE_ERR_NODE_INACTIVE: not active on chain",
        };
      }
      return health(node, signal);
    }),
  );
  return checked.filter((failure) => failure !== undefined);
}

/** GET /health of one node: undefined if it is up and reaches the chain, else the failure. */
async function health(
  node: { nodeId: number; endpoint: string },
  signal?: AbortSignal,
): Promise<NodeFailure | undefined> {
  const timeout = AbortSignal.timeout(PREFLIGHT_TIMEOUT_MS);
  try {
    await createNodeClient({ baseUrl: node.endpoint, nodeId: node.nodeId }).getHealth({
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    return undefined;
  } catch (error) {
    signal?.throwIfAborted();
    if (error instanceof ServiceError && error.status > 0) {
      return { ...node, status: error.status, code: error.code, error: error.message };
    }
    return { ...node, error: describeFailure(error) };
  }
}
