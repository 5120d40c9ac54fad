import { type Address, formatEther, getAddress, isAddress } from "viem";
import { strataTokenAbi } from "#protocol";
import { revertOf } from "../../sdk/client/contract-calls.ts";
import { chainClientFrom, signerAddress } from "../cli-context.ts";
import { CliError, ExitCode, UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { requireGas, requireTokens } from "../funds.ts";
import { readNodeFile, useNodeFile } from "../node-file.ts";
import { tokenUnits } from "../token-units.ts";

function addressArg(value: unknown, what: string): Address {
  if (typeof value !== "string" || !isAddress(value))
    throw new UsageError(`${what} takes an address (0x + 40 hex digits), got ${value ?? "nothing"}`);
  return getAddress(value);
}

export const faucet: Command = {
  name: "faucet",
  summary: "Get tokens from the deployment's faucet (a devnet token deployed with its faucet on)",
  help: `strata faucet [--amount TOKENS]
  --amount TOKENS   tokens to mint to the signing key (default 1000, at most the faucet's limit)`,
  options: { amount: { type: "string" } },
  async run({ values, signal, print }) {
    const client = await chainClientFrom(values, { signing: true });
    const me = await client.address();
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const token = client.deployment.contracts.token;
    const limit = await client.publicClient
      .readContract({ address: token, abi: strataTokenAbi, functionName: "faucetLimit" })
      .catch(() => undefined);
    if (limit === undefined)
      throw new CliError(
        "STRATA_ERR_NO_FAUCET",
        ExitCode.rejected,
        `the token ${token} has no faucet (this deployment pays with an existing ERC-20): get tokens from a holder`,
      );
    if (limit === 0n)
      throw new CliError(
        "STRATA_ERR_FAUCET_OFF",
        ExitCode.rejected,
        `the faucet of ${token} is off (deployed with --faucet off): ask the deployer, who holds the supply, for tokens (strata transfer)`,
      );
    const amount =
      values.amount === undefined
        ? 1000n * 10n ** BigInt(units.decimals)
        : units.parse(values.amount, "amount");
    if (amount > limit)
      throw new UsageError(
        `--amount ${units.format(amount)} is over the faucet's limit of ${units.format(limit)} a call`,
      );
    await requireGas(client, me, "the signing key");
    try {
      const { hash } = await client.faucet(amount, { signal });
      const held = await client.balance(me);
      print(`minted ${units.format(amount)} to ${me} (transaction ${hash}); it holds ${units.format(held)}`, {
        account: me,
        amount,
        balance: held,
        hash,
      });
    } catch (error) {
      const revert = revertOf(error, "faucet");
      if (revert?.errorName === "StrataTokenFaucetCooldown") {
        const at = new Date(Number(revert.args[1]) * 1000).toISOString();
        throw new CliError(
          "STRATA_ERR_FAUCET_COOLDOWN",
          ExitCode.rejected,
          `the faucet gives ${me} tokens again at ${at}`,
        );
      }
      throw error;
    }
  },
};

export const balance: Command = {
  name: "balance",
  summary: "Tokens and gas of an address, of the signing key, or of a node's signing key",
  help: `strata balance [ADDRESS] [--config node.json]
  ADDRESS           whose balances (default: the signing key of --key-file / STRATA_PRIVATE_KEY)
  --config FILE     the node's signing key instead (it pays the gas of enrolments and proofs)`,
  options: { config: { type: "string" } },
  async run({ values, given, positionals, print }) {
    let address: Address | undefined;
    let who = "";
    if (positionals[0]) address = addressArg(positionals[0], "ADDRESS");
    else if (values.config) {
      const node = await readNodeFile(values.config as string);
      useNodeFile(values, given, node);
      address = node.signer;
      who = node.nodeId > 0 ? ` (node ${node.nodeId}'s signing key)` : " (the node's signing key)";
    } else address = await signerAddress(values);
    if (!address)
      throw new UsageError(
        "whose balance? pass an ADDRESS, --config node.json, or --key-file / STRATA_PRIVATE_KEY",
      );
    const client = await chainClientFrom(values, { signing: false });
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const [tokens, gas] = await Promise.all([
      client.balance(address),
      client.publicClient.getBalance({ address }),
    ]);
    print(`${address}${who}: ${units.format(tokens)}, gas ${formatEther(gas)} (native currency)`, {
      address,
      tokens,
      gas,
      decimals: units.decimals,
      symbol: units.symbol,
    });
  },
};

export const transfer: Command = {
  name: "transfer",
  summary: "Send tokens to an address (from the deployer's supply, say, when the faucet is off)",
  help: "strata transfer --to ADDRESS --amount TOKENS",
  options: { to: { type: "string" }, amount: { type: "string" } },
  async run({ values, signal, print }) {
    const to = addressArg(values.to, "--to");
    const client = await chainClientFrom(values, { signing: true });
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const amount = units.parse(values.amount, "amount");
    const me = await client.address();
    await requireGas(client, me, "the signing key");
    await requireTokens(client, me, amount, units, "the transfer");
    const { hash } = await client.transfer(to, amount, { signal });
    print(`sent ${units.format(amount)} to ${to} (transaction ${hash})`, { from: me, to, amount, hash });
  },
};
