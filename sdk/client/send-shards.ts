import type { Hex } from "viem";
import { createNodeClient, type ShardReply, sendShards as sendShardsTo } from "../../api/node/index.ts";
import type { ColdLayout } from "../../protocol/index.ts";
import type { NodeFailure } from "../errors.ts";
import { failureOf } from "./send-replicas.ts";

/**
 * Encodes the blob `open()` yields once and streams holder i's shard to `nodes[i]` (holder order),
 * all at once (the api node client's PUT /shard); a node that fails is reported as an upload
 * failure and dropped while the others go on.
 */
export async function sendShards(
  open: () => AsyncIterable<Uint8Array>,
  layout: ColdLayout,
  blobId: Hex,
  shardRoots: readonly Hex[],
  nodes: readonly { nodeId: number; endpoint: string }[],
  options: { signal?: AbortSignal; onBytes?: (bytes: number, nodeId: number) => void } = {},
): Promise<{ replies: ShardReply[]; failures: NodeFailure[] }> {
  const clients = nodes.map((node) => createNodeClient({ baseUrl: node.endpoint, nodeId: node.nodeId }));
  const { onBytes, signal } = options;
  const { replies, failures } = await sendShardsTo(open, layout, blobId, shardRoots, clients, {
    signal,
    ...(onBytes
      ? { onBytes: (bytes: number, holder: number) => onBytes(bytes, nodes[holder]?.nodeId ?? -1) }
      : {}),
  });
  return {
    replies,
    failures: failures.map((f) =>
      failureOf(nodes[f.holder] as { nodeId: number; endpoint: string }, f.error),
    ),
  };
}
