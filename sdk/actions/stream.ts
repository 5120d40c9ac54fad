import { CID } from "multiformats/cid";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";
import { readWithFailover, type Source } from "../client/read-with-failover.ts";
import { InvalidArgumentError, type NodeFailure } from "../errors.ts";

export interface StreamParameters extends ActionOptions {
  cid: string;
  /** Nodes to read from, in order (default: those the indexer routes `cid` to). */
  nodes?: Source[];
  /** Called for each node that failed before another took over. */
  onFailure?: (failure: NodeFailure) => void;
}

export type StreamReturnType = AsyncGenerator<Uint8Array>;

/**
 * The verified bytes of `cid`, streamed, failing over between the nodes the indexer routes to: a
 * node that fails or sends bytes that do not verify is skipped, and the next continues where it
 * stopped.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, indexerUrl });
 * for await (const chunk of stream(client.context, { cid })) process.stdout.write(chunk);
 */
export async function* stream(
  ctx: Pick<ClientContext, "indexer">,
  params: StreamParameters,
): StreamReturnType {
  const { cid, signal } = params;
  try {
    CID.parse(cid);
  } catch {
    throw new InvalidArgumentError(`${cid} is not a CID`);
  }
  const sources =
    params.nodes ??
    (await ctx.indexer.route(cid, { signal })).nodes.map(({ nodeId, endpoint }) => ({ nodeId, endpoint }));
  yield* readWithFailover(cid, sources, {
    ...(signal ? { signal } : {}),
    ...(params.onFailure ? { onFailure: params.onFailure } : {}),
  });
}
