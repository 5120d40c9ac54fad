import type { Hex } from "viem";
import type { ClientContext } from "./client-context.ts";

/** Every blob the indexer lists `nodeId` holding, page by page. */
export async function heldBlobs(
  ctx: Pick<ClientContext, "indexer">,
  nodeId: number,
  signal?: AbortSignal,
): Promise<Hex[]> {
  const blobIds: Hex[] = [];
  let after: string | undefined;
  do {
    const page = await ctx.indexer.blobs(
      { node: nodeId, limit: 100, ...(after ? { after } : {}) },
      { signal },
    );
    blobIds.push(...page.blobs.map((blob) => blob.blobId as Hex));
    after = page.next ?? undefined;
  } while (after);
  return blobIds;
}
