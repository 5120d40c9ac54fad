import type { Address, Hex, PublicClient } from "viem";
import { strataTokenAbi } from "../../protocol/index.ts";
import type { ChainSigner } from "./chain-signer.ts";
import { readCall, type SendOptions, sendCall } from "./contract-calls.ts";

interface Account {
  /** Amounts approved for calls in flight, not yet spent (or given up). */
  reserved: bigint;
  lock: Promise<unknown>;
}

/**
 * Token allowances of the accounts this process signs for. An `approve` sets the allowance (it
 * does not add to it), so parallel calls from one account that each approved their own amount
 * would overwrite one another: the ledger approves for every call in flight together, under a
 * lock per owner, token and spender, and releases a call's share once it is spent.
 */
export class AllowanceLedger {
  readonly #accounts = new Map<string, Account>();

  /**
   * Makes sure `spender` may take `amount` on top of the calls in flight (approving the total if
   * the allowance is short, and waiting for that approval), then runs `spend`. Returns the
   * approval's hash, if one was sent, and what `spend` returned.
   */
  async spending<T>(
    publicClient: PublicClient,
    signer: ChainSigner,
    call: { token: Address; owner: Address; spender: Address; amount: bigint },
    spend: () => Promise<T>,
    options: SendOptions = {},
  ): Promise<{ approve: Hex | undefined; result: T }> {
    const chainId = publicClient.chain?.id ?? (await publicClient.getChainId());
    const key = `${chainId}:${call.token}:${call.owner}:${call.spender}`.toLowerCase();
    let account = this.#accounts.get(key);
    if (!account) {
      account = { reserved: 0n, lock: Promise.resolve() };
      this.#accounts.set(key, account);
    }
    const held = account;
    held.reserved += call.amount;
    try {
      const approving = held.lock.then(() =>
        approveIfShort(publicClient, signer, { ...call, amount: held.reserved }, options),
      );
      held.lock = approving.catch(() => undefined);
      const approve = await approving;
      return { approve, result: await spend() };
    } finally {
      held.reserved -= call.amount;
    }
  }
}

/** The ledger StrataClient uses unless given its own: one per process. */
export const sharedAllowances = new AllowanceLedger();

/** Approves `spender` for `amount` of `token` unless the allowance already covers it; the approval's hash, if sent. */
export async function approveIfShort(
  publicClient: PublicClient,
  signer: ChainSigner,
  call: { token: Address; owner: Address; spender: Address; amount: bigint },
  options: SendOptions = {},
): Promise<Hex | undefined> {
  const allowance = await readCall(publicClient, {
    address: call.token,
    abi: strataTokenAbi,
    functionName: "allowance",
    args: [call.owner, call.spender],
  });
  if (allowance >= call.amount) return undefined;
  const { hash } = await sendCall(
    publicClient,
    signer,
    { address: call.token, abi: strataTokenAbi, functionName: "approve", args: [call.spender, call.amount] },
    options,
  );
  return hash;
}
