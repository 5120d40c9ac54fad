import type { Hex } from "viem";
import type { IndexedNode } from "../../api/indexer/index.ts";
import { createNodeClient } from "../../api/node/index.ts";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";
import type { UploadOptions, UploadResult } from "../client/upload-types.ts";
import {
  describeFailure,
  FetchFailedError,
  InvalidArgumentError,
  type NodeFailure,
  StrataError,
} from "../errors.ts";
import { deleteBlob } from "./delete-blob.ts";
import { type StatusReturnType, status } from "./status.ts";
import { stream } from "./stream.ts";
import { upload } from "./upload.ts";

/** Where to move a blob: to cold (optionally deleting the hot registration), or back to hot. */
export type MigrateParameters = ActionOptions & { blobId: Hex } & (
    | ({ to: "cold"; deleteHot?: boolean } & Pick<
        UploadOptions,
        "replicas" | "nodes" | "faults" | "epochs" | "onProgress"
      >)
    | { to: "hot" }
  );

export type MigrateReturnType =
  | { to: "cold"; cold: UploadResult; deleted?: Hex }
  | { to: "hot"; nodeId: number; endpoint: string; cid: string; size: number };

/**
 * Moves a blob between the tiers. To cold: the blob is read back (verified), its cold layout
 * computed here, a cold registration for the same CID paid for and made, and one of its hot
 * holders encodes its copy, sends every shard and certifies (POST /migrate); with `deleteHot`
 * the hot registration is deleted once the cold one is certified. To hot: a cold holder rebuilds
 * the blob and keeps it in its hot tier (POST /migrate); the answer names it.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * const moved = await migrate(client.context, { blobId, to: "cold", deleteHot: true });
 */
export async function migrate(ctx: ClientContext, params: MigrateParameters): Promise<MigrateReturnType> {
  const { blobId, signal } = params;
  const current = await status(ctx, { blobId, ...(signal ? { signal } : {}) });
  if (!current.indexed)
    throw new StrataError("STRATA_ERR_NOT_FOUND", `the indexer does not know blob ${blobId} yet`);
  const known = await ctx.indexer.nodes({ signal });
  if (params.to === "hot") return toHot(current, known, signal);
  if (current.tier !== "hot") throw new InvalidArgumentError(`blob ${blobId} is already cold`);
  const indexed = current.indexed;
  const endpoint = current.nodes.map((nodeId) => endpointOf(known, nodeId)).find((found) => found);
  if (!endpoint) throw new StrataError("STRATA_ERR_NOT_FOUND", `no hot holder of ${blobId} is indexed`);
  const cold = await upload(ctx, {
    source: stream(ctx, { cid: indexed.cid, ...(signal ? { signal } : {}) }),
    tier: "cold",
    name: indexed.name,
    mimeType: indexed.mimeType,
    tags: indexed.tags,
    ...(params.replicas ? { replicas: params.replicas } : {}),
    ...(params.nodes ? { nodes: params.nodes } : {}),
    ...(params.faults !== undefined ? { faults: params.faults } : {}),
    ...(params.epochs ? { epochs: params.epochs } : {}),
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
    ...(signal ? { signal } : {}),
    viaNode: { blobId, endpoint },
  });
  if (cold.cid !== indexed.cid)
    throw new StrataError("STRATA_ERR_VERIFICATION", "the blob read back has another CID");
  const deleted = params.deleteHot
    ? (await deleteBlob(ctx, { blobId, ...(signal ? { signal } : {}) })).hash
    : undefined;
  return { to: "cold", cold, ...(deleted ? { deleted } : {}) };
}

/** Asks the cold holders in turn to rebuild the blob into their hot tier; the first that does. */
async function toHot(
  current: StatusReturnType,
  known: IndexedNode[],
  signal: AbortSignal | undefined,
): Promise<MigrateReturnType> {
  const { blobId } = current;
  if (current.tier !== "cold") throw new InvalidArgumentError(`blob ${blobId} is already hot`);
  const failures: NodeFailure[] = [];
  for (const nodeId of current.nodes) {
    const endpoint = endpointOf(known, nodeId);
    if (!endpoint) continue;
    try {
      const node = createNodeClient({ baseUrl: endpoint, nodeId });
      const reply = await node.postMigrate({ blobId, to: "hot" }, { signal });
      return { to: "hot", nodeId, endpoint, cid: reply.cid, size: reply.size ?? 0 };
    } catch (error) {
      signal?.throwIfAborted();
      failures.push({ nodeId, endpoint, error: describeFailure(error) });
    }
  }
  throw new FetchFailedError(current.indexed?.cid ?? blobId, failures);
}

function endpointOf(known: IndexedNode[], nodeId: number): string | undefined {
  return known.find((node) => node.nodeId === nodeId)?.endpoint;
}
