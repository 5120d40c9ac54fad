import { concat } from "../../protocol/index.ts";
import type { ClientContext } from "../client/client-context.ts";
import { type StreamParameters, stream } from "./stream.ts";

export type GetParameters = StreamParameters;

export type GetReturnType = Uint8Array;

/**
 * The verified bytes of `cid` (or of `range` of it), whole (see {@link stream} for large blobs).
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, indexerUrl });
 * const bytes = await get(client.context, { cid: "bafkrei…" });
 * const head = await get(client.context, { cid, range: { offset: 0, length: 1024 } });
 */
export async function get(
  ctx: Pick<ClientContext, "indexer">,
  params: GetParameters,
): Promise<GetReturnType> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream(ctx, params)) chunks.push(chunk);
  return concat(chunks);
}
