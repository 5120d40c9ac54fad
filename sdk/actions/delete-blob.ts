import { type Hex, toHex } from "viem";
import type { IndexedBlobDetail } from "../../api/indexer/index.ts";
import { createNodeClient, type DeleteFileBody } from "../../api/node/index.ts";
import { deleteRequestTypedData, storageMarketAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { sendCall } from "../client/contract-calls.ts";
import { failureOf } from "../client/send-replicas.ts";
import type { NodeFailure } from "../errors.ts";

export interface DeleteBlobParameters extends ActionOptions {
  blobId: Hex;
}

export interface DeleteBlobReturnType {
  /** The `deleteBlob` transaction. */
  hash: Hex;
  /** Nodes that confirmed they dropped their copies. */
  dropped: number[];
  /**
   * Nodes that did not, each with why: the node's code when it answered (NODE_ERR_DELETE_SIGNER:
   * the signer is not the blob's owner; NODE_ERR_DELETE_TYPED_DATA: the node computes other typed
   * data, another deployment or chain; NODE_ERR_REQUEST_EXPIRED: the clocks disagree;
   * NODE_ERR_NOT_FOUND: it held no copy...). They drop their copies on their own once they see
   * the deletion on chain.
   */
  refused: NodeFailure[];
}

/**
 * Ends a blob on chain (later periods are refunded), then asks its nodes, with a request the
 * owner signs, to drop their copies at once; nodes also drop them on their own when they see the
 * deletion. Returns the nodes that confirmed.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * const { hash, dropped } = await deleteBlob(client.context, { blobId });
 */
export async function deleteBlob(
  ctx: ClientContext,
  params: DeleteBlobParameters,
): Promise<DeleteBlobReturnType> {
  const { blobId, signal } = params;
  const signer = signerOf(ctx);
  const { hash } = await sendCall(
    ctx.publicClient,
    signer,
    {
      address: ctx.deployment.contracts.market,
      abi: storageMarketAbi,
      functionName: "deleteBlob",
      args: [blobId],
    },
    sendOptionsOf(ctx, signal),
  );
  const blob = await ctx.indexer.blob(blobId, { signal }).catch(() => undefined);
  if (!blob) return { hash, dropped: [], refused: [] };
  const message = {
    blobId,
    expiry: BigInt(Math.floor(Date.now() / 1000) + 600),
    nonce: toHex(crypto.getRandomValues(new Uint8Array(32))),
  };
  const signature = await signer.signTypedData(
    deleteRequestTypedData(ctx.deployment.chainId, ctx.deployment.contracts.market, message),
  );
  // the signer lets a node tell a signer who is not the owner from typed data other than its own
  const body = {
    blobId,
    expiry: Number(message.expiry),
    nonce: message.nonce,
    signature,
    signer: await signer.address(),
  };
  return { hash, ...(await askToDrop(blob, body, signal)) };
}

/** DELETEs the blob on every holder with the signed request; the nodes that confirmed, and the others with why. */
async function askToDrop(
  blob: IndexedBlobDetail,
  body: DeleteFileBody,
  signal?: AbortSignal,
): Promise<{ dropped: number[]; refused: NodeFailure[] }> {
  const answers = await Promise.allSettled(
    blob.holders.map(async (holder) => {
      if (!holder.endpoint) throw new Error("no endpoint");
      const node = createNodeClient({ baseUrl: holder.endpoint, nodeId: holder.nodeId });
      const timeout = AbortSignal.timeout(10_000);
      await node.deleteFile(blob.cid, body, {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      return holder.nodeId;
    }),
  );
  const dropped: number[] = [];
  const refused: NodeFailure[] = [];
  answers.forEach((answer, i) => {
    const holder = blob.holders[i] as IndexedBlobDetail["holders"][number];
    if (answer.status === "fulfilled") dropped.push(answer.value);
    else refused.push(failureOf({ nodeId: holder.nodeId, endpoint: holder.endpoint ?? "" }, answer.reason));
  });
  return { dropped, refused };
}
