import type { Hex } from "viem";
import type { MigrateReply, NodeErrorBody } from "./node-replies.ts";

/** Asks the node at `endpoint` to move a blob between the tiers; throws with the node's code and message. */
export async function postMigrate(
  endpoint: string,
  body: { blobId: Hex; to: "hot" } | { blobId: Hex; to: "cold"; coldBlobId: Hex },
  signal?: AbortSignal,
): Promise<MigrateReply> {
  const response = await fetch(`${endpoint.replace(/\/+$/, "")}/migrate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const json = (await response.json().catch(() => undefined)) as
    | (MigrateReply & Partial<NodeErrorBody>)
    | undefined;
  if (!response.ok || !json) {
    throw new Error(json?.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${response.status}`);
  }
  return json;
}
