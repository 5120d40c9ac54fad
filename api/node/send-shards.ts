import { type ColdLayout, encodeShards, ShardFanout } from "../../protocol/index.ts";
import { BAD_REPLY, ServiceError } from "../service-error.ts";
import type { NodeClient } from "./node-client.ts";
import type { ShardReply } from "./node-schemas.ts";

/** A holder whose PUT /shard failed, and why (a ServiceError when the node answered or was unreachable). */
export interface ShardFailure {
  holder: number;
  nodeId: number | undefined;
  error: unknown;
}

/**
 * Encodes the blob `open()` yields once and streams holder i's shard to `nodes[i]` (holder order),
 * all at once, each PUT /shard carrying the shard commitments; the fan-out holds back the encoder
 * to the slowest socket. A node that fails is reported and dropped while the others go on.
 */
export async function sendShards(
  open: () => AsyncIterable<Uint8Array>,
  layout: ColdLayout,
  blobId: string,
  shardRoots: readonly string[],
  nodes: readonly Pick<NodeClient, "putShard" | "nodeId">[],
  options: { signal?: AbortSignal | undefined; onBytes?: (bytes: number, holder: number) => void } = {},
): Promise<{ replies: ShardReply[]; failures: ShardFailure[] }> {
  const fanout = new ShardFanout(nodes.length);
  const puts = nodes.map(async (node, holder) => {
    const reply = await node.putShard(blobId, fanout.consumer(holder), {
      shardRoots,
      shardSize: layout.shardSize,
      signal: options.signal,
      ...(options.onBytes ? { onBytes: (bytes: number) => options.onBytes?.(bytes, holder) } : {}),
    });
    if (reply.blobId.toLowerCase() !== blobId.toLowerCase() || reply.holder !== holder) {
      const origin = {
        service: "node" as const,
        ...(node.nodeId !== undefined ? { nodeId: node.nodeId } : {}),
      };
      throw new ServiceError(origin, {
        status: 200,
        code: BAD_REPLY,
        message: "the node stored another shard",
      });
    }
    return reply;
  });
  const produced = (async () => {
    try {
      for await (const parts of encodeShards(open(), layout, options.signal)) await fanout.push(parts);
    } finally {
      fanout.end();
    }
  })();
  const [encoding, ...results] = await Promise.allSettled([produced, ...puts]);
  const replies: ShardReply[] = [];
  const failures: ShardFailure[] = [];
  results.forEach((result, holder) => {
    if (result.status === "fulfilled") replies.push(result.value as ShardReply);
    else failures.push({ holder, nodeId: nodes[holder]?.nodeId, error: result.reason });
  });
  options.signal?.throwIfAborted();
  if (encoding?.status === "rejected" && replies.length === 0) throw encoding.reason;
  return { replies, failures };
}
