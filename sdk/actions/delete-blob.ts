import { randomBytes } from "node:crypto";
import { type Hex, toHex } from "viem";
import { deleteRequestTypedData, storageMarketAbi } from "#protocol";
import type { IndexedBlobDetail } from "../../api/indexer/index.ts";
import { createNodeClient, type DeleteFileBody } from "../../api/node/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { sendCall } from "../client/contract-calls.ts";

export interface DeleteBlobParameters extends ActionOptions {
  blobId: Hex;
}

export interface DeleteBlobReturnType {
  /** The `deleteBlob` transaction. */
  hash: Hex;
  /** Nodes that confirmed they dropped their copies. */
  dropped: number[];
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
  if (!blob) return { hash, dropped: [] };
  const message = {
    blobId,
    expiry: BigInt(Math.floor(Date.now() / 1000) + 600),
    nonce: toHex(randomBytes(32)),
  };
  const signature = await signer.signTypedData(
    deleteRequestTypedData(ctx.deployment.chainId, ctx.deployment.contracts.market, message),
  );
  const body = { blobId, expiry: Number(message.expiry), nonce: message.nonce, signature };
  return { hash, dropped: await askToDrop(blob, body, signal) };
}

/** DELETEs the blob on every holder with the signed request; the nodes that confirmed. */
async function askToDrop(
  blob: IndexedBlobDetail,
  body: DeleteFileBody,
  signal?: AbortSignal,
): Promise<number[]> {
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
  return answers.flatMap((answer) => (answer.status === "fulfilled" ? [answer.value] : []));
}
