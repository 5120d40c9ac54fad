import { CID } from "multiformats/cid";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";
import { type ByteRange, checkRange, readWithFailover, type Source } from "../client/read-with-failover.ts";
import { InvalidArgumentError, type NodeFailure } from "../errors.ts";

export interface StreamParameters extends ActionOptions {
  cid: string;
  /** Nodes to read from, in order (default: those the indexer routes `cid` to). */
  nodes?: Source[];
  /** Called for each node that failed before another took over. */
  onFailure?: (failure: NodeFailure) => void;
  /**
   * Only these bytes: `length` bytes from `offset` (to the end without `length`), each verified
   * (the node sends just the blocks on the paths to them, every one checked). A range past the end
   * gives what the file has of it; one holding none of its bytes throws RangeNotSatisfiableError.
   */
  range?: ByteRange;
}

export type StreamReturnType = AsyncGenerator<Uint8Array>;

/**
 * The verified bytes of `cid` (or of `range` of it), streamed, failing over between the nodes the
 * indexer routes to: a node that fails or sends bytes that do not verify is skipped, and the next
 * continues where it stopped.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, indexerUrl });
 * for await (const chunk of stream(client.context, { cid })) process.stdout.write(chunk);
 * // bytes 1000 to 1999 only, verified
 * for await (const chunk of stream(client.context, { cid, range: { offset: 1000, length: 1000 } })) …
 */
export async function* stream(
  ctx: Pick<ClientContext, "indexer">,
  params: StreamParameters,
): StreamReturnType {
  const { cid, signal, range } = params;
  try {
    CID.parse(cid);
  } catch {
    throw new InvalidArgumentError(`${cid} is not a CID`);
  }
  if (range) checkRange(range);
  const sources =
    params.nodes ??
    (await ctx.indexer.route(cid, { signal })).nodes.map(({ nodeId, endpoint }) => ({ nodeId, endpoint }));
  yield* readWithFailover(cid, sources, {
    ...(signal ? { signal } : {}),
    ...(params.onFailure ? { onFailure: params.onFailure } : {}),
    ...(params.range ? { range: params.range } : {}),
  });
}
