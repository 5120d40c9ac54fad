import type { Address, ContractFunctionReturnType } from "viem";
import { strataTokenAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signerOf } from "../client/client-context.ts";
import { type SentCall, sendCall } from "../client/contract-calls.ts";

export interface TransferParameters extends ActionOptions {
  to: Address;
  /** Token base units to send. */
  amount: bigint;
}

export type TransferReturnType = SentCall<
  ContractFunctionReturnType<typeof strataTokenAbi, "nonpayable", "transfer">
>;

/**
 * Sends `amount` of the deployment's payment token from the signer to `to`.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * await transfer(client.context, { to: "0x…", amount: 100n * 10n ** 18n });
 */
export async function transfer(ctx: ClientContext, params: TransferParameters): Promise<TransferReturnType> {
  return sendCall(
    ctx.publicClient,
    signerOf(ctx),
    {
      address: ctx.deployment.contracts.token,
      abi: strataTokenAbi,
      functionName: "transfer",
      args: [params.to, params.amount],
    },
    sendOptionsOf(ctx, params.signal),
  );
}
