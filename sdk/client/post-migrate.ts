import type { Hex } from "viem";

/** What a node's POST /migrate answers (docs: node/http/routes/migrate.ts). */
export interface MigrateReply {
  blobId: Hex;
  to: "hot" | "cold";
  cid: string;
  size?: number;
  coldBlobId?: Hex;
  certified?: boolean;
  transaction?: Hex;
}

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
    | (MigrateReply & { error?: { code: string; message: string } })
    | undefined;
  if (!response.ok || !json) {
    throw new Error(json?.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${response.status}`);
  }
  return json;
}
