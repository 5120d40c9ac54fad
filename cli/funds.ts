import type { Address } from "viem";
import type { StrataClient } from "../sdk/client/strata-client.ts";
import { CliError, ExitCode } from "./cli-error.ts";
import type { TokenUnits } from "./token-units.ts";

/** Throws a one-line CliError (exit 4) when `address` has no gas to send a transaction with. */
export async function requireGas(client: StrataClient, address: Address, who: string): Promise<bigint> {
  const gas = await client.publicClient.getBalance({ address });
  if (gas === 0n)
    throw new CliError(
      "STRATA_ERR_NO_GAS",
      ExitCode.rejected,
      `${who} ${address} has no gas on chain ${client.deployment.chainId}: send it some of the chain's currency first`,
    );
  return gas;
}

/** Throws a one-line CliError (exit 4) when `address` holds fewer than `amount` tokens, naming how to get them. */
export async function requireTokens(
  client: StrataClient,
  address: Address,
  amount: bigint,
  units: TokenUnits,
  why: string,
): Promise<void> {
  const held = await client.balance(address);
  if (held < amount)
    throw new CliError(
      "STRATA_ERR_INSUFFICIENT_FUNDS",
      ExitCode.rejected,
      `${why} needs ${units.format(amount)}; ${address} holds ${units.format(held)}: get tokens (strata faucet, or strata transfer from a holder)`,
    );
}
