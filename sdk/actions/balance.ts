import type { Address } from "viem";
import { strataTokenAbi } from "../../protocol/index.ts";
import { type ClientContext, signerOf } from "../client/client-context.ts";
import { readCall } from "../client/contract-calls.ts";

export interface BalanceParameters {
  /** Whose balance (default: the signer's). */
  account?: Address;
}

/** Token base units held. */
export type BalanceReturnType = bigint;

/**
 * The token balance of `account`, by default the signer's.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, indexerUrl });
 * const held = await balance(client.context, { account: "0x…" });
 */
export async function balance(
  ctx: Pick<ClientContext, "publicClient" | "deployment" | "signer">,
  params: BalanceParameters = {},
): Promise<BalanceReturnType> {
  return readCall(ctx.publicClient, {
    address: ctx.deployment.contracts.token,
    abi: strataTokenAbi,
    functionName: "balanceOf",
    args: [params.account ?? (await signerOf(ctx).address())],
  });
}
