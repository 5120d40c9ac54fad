import type { Address } from "viem";
import { sharedAllowances } from "./allowance-ledger.ts";
import { type SigningContext, sendOptionsOf } from "./client-context.ts";

/**
 * Has `spender` approved for `amount` of the deployment's token on top of the signer's calls in
 * flight, then runs `spend` (which spends it) and returns what it returned.
 */
export async function spendTokens<T>(
  ctx: SigningContext,
  request: { spender: Address; amount: bigint; signal?: AbortSignal | undefined },
  spend: () => Promise<T>,
): Promise<T> {
  const owner = await ctx.signer.address();
  const { result } = await (ctx.allowances ?? sharedAllowances).spending(
    ctx.publicClient,
    ctx.signer,
    { token: ctx.deployment.contracts.token, owner, spender: request.spender, amount: request.amount },
    spend,
    sendOptionsOf(ctx, request.signal),
  );
  return result;
}
