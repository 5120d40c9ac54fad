import type { BlobQuery, IndexedBlob } from "../../api/indexer/index.ts";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";

export type ListParameters = BlobQuery & ActionOptions;

/** One page of blobs; `next` is the cursor of the following page (`after`), null on the last. */
export interface ListReturnType {
  blobs: IndexedBlob[];
  next: string | null;
}

/**
 * Blobs from the indexer, newest first, one page: by default the signer's own (`owner`), or
 * filtered by node, tag, MIME type, tier or status.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * const { blobs, next } = await list(client.context, { tag: "photos", limit: 20 });
 */
export async function list(
  ctx: Pick<ClientContext, "indexer" | "signer">,
  params: ListParameters = {},
): Promise<ListReturnType> {
  const { signal, ...query } = params;
  const owner = query.owner ?? (ctx.signer ? await ctx.signer.address() : undefined);
  return ctx.indexer.blobs({ ...query, ...(owner ? { owner } : {}) }, { signal });
}
