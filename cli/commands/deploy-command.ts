import { join, resolve } from "node:path";
import { createPublicClient, createWalletClient, formatEther, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type Deployment, strataChain } from "#protocol";
import { DEFAULT_DEPLOYMENT, pollingMs, readKeyFile } from "../cli-context.ts";
import { CliError, chainUnreachable, ExitCode } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { deployFlags, deployFlagsHelp, deployParamsFrom, existingToken } from "../deploy-options.ts";
import { loadDeployment, writeDeployment } from "../deployment-file.ts";
import { tokenUnits, unitsOf } from "../token-units.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** True when `path` holds a deployment whose contracts are on the chain `publicClient` reads. */
async function liveDeploymentAt(path: string, publicClient: PublicClient, chainId: number): Promise<boolean> {
  const existing: Deployment | undefined = await loadDeployment(path).catch(() => undefined);
  if (!existing || existing.chainId !== chainId) return false;
  const code = await publicClient.getCode({ address: existing.contracts.registry });
  return code !== undefined && code !== "0x";
}

export const deploy: Command = {
  name: "deploy",
  summary: "Deploy the Strata contracts to a chain and write the deployment file",
  help: `strata deploy [--rpc-url URL] [--key-file FILE] [--out FILE] [parameters]
  --key-file FILE         the deployer's key (default: the devnet's public first account: local chains only)
  --out FILE              deployment file to write (default ${DEFAULT_DEPLOYMENT}, which every command reads)
  --force                 replace a deployment file whose contracts are still on the chain
Compiles the contracts first if their artifacts are missing or older than the sources.
${deployFlagsHelp}`,
  options: { out: { type: "string" }, force: { type: "boolean", default: false }, ...deployFlags },
  async run({ values, signal, print, warn }) {
    const rpcUrl = values["rpc-url"];
    const { devnetAccount } = await import("../../devnet/hardhat-chain.ts");
    const account = values["key-file"]
      ? privateKeyToAccount(await readKeyFile(values["key-file"]))
      : devnetAccount(0);
    if (!values["key-file"])
      warn(`deploying as the devnet's public account ${account.address}; pass --key-file on a real chain`);
    const out = resolve((values.out as string | undefined) ?? DEFAULT_DEPLOYMENT);
    const transport = http(rpcUrl);
    const probe = createPublicClient({ transport });
    let chainId: number;
    let gas: bigint;
    try {
      [chainId, gas] = await Promise.all([
        probe.getChainId(),
        probe.getBalance({ address: account.address }),
      ]);
    } catch (error) {
      throw chainUnreachable(rpcUrl, error);
    }
    const chain = strataChain(chainId, rpcUrl);
    const publicClient = createPublicClient({
      chain,
      transport,
      pollingInterval: pollingMs(values),
    }) as PublicClient;
    if (gas === 0n)
      throw new CliError(
        "STRATA_ERR_NO_GAS",
        ExitCode.rejected,
        `the deployer ${account.address} has no gas on chain ${chainId}: send it some of the chain's currency first`,
      );
    if (!values.force && (await liveDeploymentAt(out, publicClient, chainId)))
      throw new CliError(
        "STRATA_ERR_DEPLOYMENT_EXISTS",
        ExitCode.usage,
        `${out} holds a deployment whose contracts are live on chain ${chainId}: pass --out FILE for another, or --force to replace it`,
      );
    const token = existingToken(values);
    if (token) {
      const code = await publicClient.getCode({ address: token });
      if (!code || code === "0x")
        throw new CliError(
          "STRATA_ERR_NO_TOKEN",
          ExitCode.usage,
          `--token ${token}: no contract there on chain ${chainId}`,
        );
    }
    const units = token ? await tokenUnits(publicClient, token) : unitsOf(18, "STRATA");
    const params = deployParamsFrom(values, units);
    const { ensureContractArtifacts } = await import("../../devnet/contract-artifacts.ts");
    await ensureContractArtifacts(ROOT, { signal, log: (line) => process.stderr.write(`${line}\n`) });
    const { deployStrata } = await import("../../devnet/deploy-strata.ts");
    const deployment = await deployStrata({
      wallet: createWalletClient({ account, chain, transport }),
      publicClient,
      params,
      root: ROOT,
      signal,
    });
    await writeDeployment(out, deployment, rpcUrl);
    const { contracts } = deployment;
    const faucet = token
      ? "none (an existing ERC-20)"
      : params.faucetLimit === 0n
        ? "off"
        : `on, ${units.format(params.faucetLimit)} a call`;
    print(
      [
        `deployed Strata on chain ${deployment.chainId} (${formatEther(gas)} of the deployer's gas before); addresses in ${out}`,
        `  token      ${contracts.token} (${units.symbol}, faucet ${faucet}${params.supply ? `, ${units.format(params.supply)} to the deployer` : ""})`,
        `  registry   ${contracts.registry}`,
        `  market     ${contracts.market}`,
        `  proofs     ${contracts.proofSystem}`,
        `  names      ${contracts.names}`,
        `  vaults     ${contracts.vaults}`,
        `  periods    ${params.periodSeconds} s, ${params.epochSeconds / params.periodSeconds} to an epoch of ${params.epochSeconds} s`,
        `  stake      at least ${units.format(params.minStake)}; a missed proof costs ${units.format(params.slashAmount)}`,
        `next: strata node init --data-dir DIR${out === resolve(DEFAULT_DEPLOYMENT) ? "" : ` --deployment ${out}`}`,
      ].join("\n"),
      { deployment, file: out, params },
    );
  },
};
