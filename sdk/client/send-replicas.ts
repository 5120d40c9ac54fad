import type { Hex } from "viem";
import { createNodeClient, type StoreReply } from "../../api/node/index.ts";
import { ServiceError } from "../../api/service-error.ts";
import { describeFailure, type NodeFailure } from "../errors.ts";
import type { PreparedSource } from "./upload-types.ts";

/** The failure of `node` as the upload reports it, with the node's code and status if it answered. */
export function failureOf(node: { nodeId: number; endpoint: string }, error: unknown): NodeFailure {
  const failure: NodeFailure = {
    nodeId: node.nodeId,
    endpoint: node.endpoint,
    error: describeFailure(error),
  };
  if (error instanceof ServiceError && error.status > 0) {
    failure.status = error.status;
    failure.code = error.code;
  }
  return failure;
}

/**
 * PUTs the blob to every node at once, each from its own pass over the source read only as fast
 * as its socket drains (or, where the source is a Blob, the Blob itself, which a page sends
 * without reading it); each answer is an attestation or a failure. `onBytes` hears each node's
 * bytes as they go out.
 */
export async function sendReplicas(
  prepared: Pick<PreparedSource, "cid" | "open" | "blob">,
  blobId: Hex,
  nodes: readonly { nodeId: number; endpoint: string }[],
  options: { signal?: AbortSignal; onBytes: (bytes: number, nodeId: number) => void },
): Promise<{ replies: StoreReply[]; failures: NodeFailure[] }> {
  const results = await Promise.allSettled(
    nodes.map(async (node) => {
      const client = createNodeClient({ baseUrl: node.endpoint, nodeId: node.nodeId });
      const reply = await client.putStore(blobId, prepared.blob ?? prepared.open(), {
        ...(options.signal ? { signal: options.signal } : {}),
        onBytes: (bytes) => options.onBytes(bytes, node.nodeId),
      });
      if (reply.blobId.toLowerCase() !== blobId.toLowerCase() || reply.cid !== prepared.cid) {
        throw new Error("the node stored something else");
      }
      return reply;
    }),
  );
  const replies: StoreReply[] = [];
  const failures: NodeFailure[] = [];
  results.forEach((result, index) => {
    const node = nodes[index] as { nodeId: number; endpoint: string };
    if (result.status === "fulfilled") replies.push(result.value);
    else failures.push(failureOf(node, result.reason));
  });
  options.signal?.throwIfAborted();
  return { replies, failures };
}
