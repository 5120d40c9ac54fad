import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http } from "viem";
import { hardhat } from "viem/chains";
import { type Deployment, serializeDeployment } from "#protocol";
import { type DeployParams, deployStrata, devnetParams } from "../deploy/deploy-strata.ts";
import { devnetAccount, startHardhatChain } from "./hardhat-chain.ts";

export interface Devnet {
  rpcUrl: string;
  deployment: Deployment;
  deploymentFile: string;
  stop(): Promise<void>;
}

/**
 * Brings up a local Strata network on loopback: a Hardhat chain and the deployed contracts,
 * whose addresses go to `<dataDir>/deployment.json`. `stop()` tears everything down.
 */
export async function startDevnet(options: {
  root: string;
  dataDir: string;
  chainPort: number;
  params?: DeployParams;
  signal?: AbortSignal;
}): Promise<Devnet> {
  const { root, dataDir, chainPort, signal } = options;
  const chain = await startHardhatChain({ root, port: chainPort, ...(signal ? { signal } : {}) });
  try {
    const transport = http(chain.url);
    const publicClient = createPublicClient({ chain: hardhat, transport });
    const wallet = createWalletClient({ account: devnetAccount(0), chain: hardhat, transport });
    const deployment = await deployStrata({
      wallet,
      publicClient,
      params: options.params ?? devnetParams,
      root,
      ...(signal ? { signal } : {}),
    });
    await mkdir(dataDir, { recursive: true });
    const deploymentFile = join(dataDir, "deployment.json");
    await writeFile(deploymentFile, serializeDeployment(deployment));
    return { rpcUrl: chain.url, deployment, deploymentFile, stop: () => chain.stop() };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}
