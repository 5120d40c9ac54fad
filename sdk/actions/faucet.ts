import type { ContractFunctionReturnType } from "viem";
import { strataTokenAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { type SentCall, sendCall } from "../client/contract-calls.ts";

export interface FaucetParameters extends ActionOptions {
  /** Token base units to mint. */
  amount: bigint;
}

export type FaucetReturnType = SentCall<
  ContractFunctionReturnType<typeof strataTokenAbi, "nonpayable", "faucet">
>;

/**
 * Devnet only: mints `amount` test tokens to the signer (the devnet token's faucet).
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * await faucet(client.context, { amount: 1_000n * 10n ** 18n });
 */
export async function faucet(ctx: ClientContext, params: FaucetParameters): Promise<FaucetReturnType> {
  return sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.token,
      abi: strataTokenAbi,
      functionName: "faucet",
      args: [params.amount],
    },
    sendOptionsOf(ctx, params.signal),
  );
}
