import type { Address, Hex } from "viem";
import { strataTokenAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { receiptOf, sendCall, sendTransaction } from "../client/contract-calls.ts";

export interface FundSignerParameters extends ActionOptions {
  /** The node's signing key. */
  nodeSigner: Address;
  /** Wei of the chain's native currency to send. */
  wei: bigint;
  /** Tokens (base units) to send too: the key pays for its vaults' snapshot blobs with them. */
  tokens?: bigint;
}

export interface FundSignerReturnType {
  hash: Hex;
  tokensHash?: Hex;
}

/**
 * Sends `wei` of the chain's native currency to a node's signing key, which pays the gas of its
 * proofs, and `tokens` if asked (what the key pays its vaults' snapshot blobs with); waits for the
 * receipts.
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
  if (!params.tokens) return { hash };
  const transfer = await sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.token,
      abi: strataTokenAbi,
      functionName: "transfer",
      args: [params.nodeSigner, params.tokens],
    },
    sending,
  );
  return { hash, tokensHash: transfer.hash };
}
