import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { type Deployment, serializeDeployment } from "#protocol";
import { type DeployParams, deployStrata, devnetParams } from "./deploy-strata.ts";
import { devnetAccount, type HardhatChain, startHardhatChain } from "./hardhat-chain.ts";

export interface LocalChain {
  chain: HardhatChain;
  rpcUrl: string;
  publicClient: PublicClient;
  deployment: Deployment;
  deploymentFile: string;
  stop(): Promise<void>;
}

/**
 * A Hardhat chain on loopback with Strata deployed by the devnet's first account, its addresses
 * in `<dataDir>/deployment.json`. The first half of the devnet; benchmarks use it alone.
 */
export async function startLocalChain(options: {
  root: string;
  dataDir: string;
  chainPort: number;
  params?: DeployParams;
  signal?: AbortSignal;
}): Promise<LocalChain> {
  const { root, dataDir, signal } = options;
  const chain = await startHardhatChain({ root, port: options.chainPort, ...(signal ? { signal } : {}) });
  try {
    const transport = http(chain.url);
    const publicClient = createPublicClient({
      chain: hardhat,
      transport,
      pollingInterval: 100,
    }) as PublicClient;
    const deployer = createWalletClient({ account: devnetAccount(0), chain: hardhat, transport });
    const deployment = await deployStrata({
      wallet: deployer,
      publicClient,
      params: options.params ?? devnetParams,
      root,
      ...(signal ? { signal } : {}),
    });
    await mkdir(dataDir, { recursive: true });
    const deploymentFile = join(dataDir, "deployment.json");
    await writeFile(deploymentFile, serializeDeployment(deployment));
    return { chain, rpcUrl: chain.url, publicClient, deployment, deploymentFile, stop: () => chain.stop() };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}
