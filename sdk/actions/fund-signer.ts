import type { Address, Hex } from "viem";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { receiptOf, sendTransaction } from "../client/contract-calls.ts";

export interface FundSignerParameters extends ActionOptions {
  /** The node's signing key. */
  nodeSigner: Address;
  /** Wei of the chain's native currency to send. */
  wei: bigint;
}

export interface FundSignerReturnType {
  hash: Hex;
}

/**
 * Sends `wei` of the chain's native currency to a node's signing key, which pays the gas of its
 * proofs, and waits for the receipt.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer: operator, indexerUrl });
 * await fundSigner(client.context, { nodeSigner, wei: 10n ** 17n });
 */
export async function fundSigner(
  ctx: ClientContext,
  params: FundSignerParameters,
): Promise<FundSignerReturnType> {
  const { signal } = params;
  signal?.throwIfAborted();
  const sending = sendOptionsOf(ctx, signal);
  const hash = await sendTransaction(
    ctx.publicClient,
    signerOf(ctx),
    { to: params.nodeSigner, data: "0x", value: params.wei },
    sending,
  );
  await receiptOf(ctx.publicClient, hash, signal, sending.pollingIntervalMs);
  return { hash };
}
