import type { Hex } from "viem";
import { storageMarketAbi, Tier } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signing } from "../client/client-context.ts";
import { readCall, sendCall } from "../client/contract-calls.ts";
import { readBlob } from "../client/read-blob.ts";
import { spendTokens } from "../client/spend-tokens.ts";
import { InvalidArgumentError } from "../errors.ts";

export interface ExtendParameters extends ActionOptions {
  blobId: Hex;
  /** Epochs to add. */
  epochs: number;
}

export interface ExtendReturnType {
  hash: Hex;
  /** The approval the market was given: cost and fee, with a unit of margin for rounding. */
  paidAtMost: bigint;
}

/**
 * Pays for `epochs` more epochs of a blob at its holders' recorded prices, approving the market
 * for the cost and the fee first.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * const { paidAtMost } = await extend(client.context, { blobId, epochs: 2 });
 */
export async function extend(ctx: ClientContext, params: ExtendParameters): Promise<ExtendReturnType> {
  const { blobId, epochs, signal } = params;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new InvalidArgumentError("epochs must be a positive integer");
  const signed = signing(ctx);
  const market = ctx.deployment.contracts.market;
  const info = await readBlob(ctx, blobId);
  const stored = info.tier === Tier.hot ? info.size : info.shardSize;
  const cost =
    info.holders.reduce((sum, holder) => sum + holder.pricePerByteEpoch, 0n) * stored * BigInt(epochs);
  // the fee rate, read off a quote; a unit of margin for the contract's rounding
  const [quoted, quotedFee] = await readCall(ctx.publicClient, {
    address: market,
    abi: storageMarketAbi,
    functionName: "quote",
    args: [info.holders.map((holder) => holder.nodeId), info.tier, stored, epochs],
  });
  const fee = quoted === 0n ? 0n : (cost * (quotedFee + 1n) + quoted - 1n) / quoted + 1n;
  const { hash } = await spendTokens(signed, { spender: market, amount: cost + fee, signal }, () =>
    sendCall(
      ctx.publicClient,
      signed.signer,
      { address: market, abi: storageMarketAbi, functionName: "extend", args: [blobId, epochs] },
      sendOptionsOf(ctx, signal),
    ),
  );
  return { hash, paidAtMost: cost + fee };
}
