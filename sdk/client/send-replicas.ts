import type { Hex } from "viem";
import { describeFailure, type NodeFailure } from "../errors.ts";
import type { StoreReply } from "./node-replies.ts";
import type { PreparedSource } from "./prepare-source.ts";
import { nodeErrorOf, putStream } from "./put-stream.ts";

/** A node's refusal or failure of a PUT, with its error code when it sent one. */
export class NodeReplyError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(status: number, statusText: string, json: unknown) {
    const error = nodeErrorOf(json);
    super(`HTTP ${status} ${error?.code ? `${error.code}: ${error.message ?? ""}` : statusText}`);
    this.status = status;
    this.code = error?.code;
  }
}

/** The failure of `node` as the upload reports it, with the node's code and status if it answered. */
export function failureOf(node: { nodeId: number; endpoint: string }, error: unknown): NodeFailure {
  const failure: NodeFailure = {
    nodeId: node.nodeId,
    endpoint: node.endpoint,
    error: describeFailure(error),
  };
  if (error instanceof NodeReplyError) {
    failure.status = error.status;
    if (error.code) failure.code = error.code;
  }
  return failure;
}

/**
 * PUTs the blob to every node at once, each from its own pass over the source read only as fast
 * as its socket drains; each answer is an attestation or a failure.
 */
export async function sendReplicas(
  prepared: Pick<PreparedSource, "cid" | "open">,
  blobId: Hex,
  nodes: readonly { nodeId: number; endpoint: string }[],
  options: { signal?: AbortSignal; onBytes: (bytes: number) => void },
): Promise<{ replies: StoreReply[]; failures: NodeFailure[] }> {
  const results = await Promise.allSettled(
    nodes.map(async (node) => {
      const reply = await putStream(
        `${node.endpoint.replace(/\/+$/, "")}/store?blobId=${blobId}`,
        prepared.open(),
        {
          onBytes: options.onBytes,
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
      const json = reply.json as StoreReply | undefined;
      if (reply.status < 200 || reply.status >= 300 || !json) {
        throw new NodeReplyError(reply.status, reply.statusText, reply.json);
      }
      if (json.blobId.toLowerCase() !== blobId.toLowerCase() || json.cid !== prepared.cid) {
        throw new Error("the node stored something else");
      }
      return json;
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
