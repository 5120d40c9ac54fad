import type { Hex } from "viem";
import { type ColdLayout, encodeShards, ShardFanout } from "#protocol";
import type { NodeFailure } from "../errors.ts";
import type { ShardReply } from "./node-replies.ts";
import { putStream } from "./put-stream.ts";
import { failureOf, NodeReplyError } from "./send-replicas.ts";

/**
 * Encodes the blob `open()` yields once and streams holder i's shard to `nodes[i]` (holder order),
 * all at once, each PUT /shard carrying the shard commitments. A node that fails is reported and
 * dropped while the others go on.
 */
export async function sendShards(
  open: () => AsyncIterable<Uint8Array>,
  layout: ColdLayout,
  blobId: Hex,
  shardRoots: readonly Hex[],
  nodes: readonly { nodeId: number; endpoint: string }[],
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<{ replies: ShardReply[]; failures: NodeFailure[] }> {
  const fanout = new ShardFanout(nodes.length);
  const puts = nodes.map(async (node, holder) => {
    const reply = await putStream(
      `${node.endpoint.replace(/\/+$/, "")}/shard?blobId=${blobId}`,
      fanout.consumer(holder),
      {
        headers: {
          "content-length": String(layout.shardSize),
          "x-strata-shard-roots": shardRoots.join(","),
        },
        ...(options.onBytes ? { onBytes: options.onBytes } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    const json = reply.json as ShardReply | undefined;
    if (reply.status < 200 || reply.status >= 300 || !json) {
      throw new NodeReplyError(reply.status, reply.statusText, reply.json);
    }
    if (json.blobId.toLowerCase() !== blobId.toLowerCase() || json.holder !== holder) {
      throw new Error("the node stored another shard");
    }
    return json;
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
  const failures: NodeFailure[] = [];
  results.forEach((result, index) => {
    const node = nodes[index] as { nodeId: number; endpoint: string };
    if (result.status === "fulfilled") replies.push(result.value as ShardReply);
    else failures.push(failureOf(node, result.reason));
  });
  options.signal?.throwIfAborted();
  if (encoding?.status === "rejected" && replies.length === 0) throw encoding.reason;
  return { replies, failures };
}
