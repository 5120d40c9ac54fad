import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Account,
  type Address,
  type Chain,
  getAddress,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { type Deployment, nodeRegistryAbi, storageMarketAbi } from "#protocol";

/** Parameters of a fresh Strata deployment. */
export interface DeployParams {
  epochSeconds: number;
  periodSeconds: number;
  feeBps: number;
  certifyWindow: number;
  coldMargin: number;
  samplesPerProof: number;
  missesToDrop: number;
  slashAmount: bigint;
  reporterBps: number;
  minStake: bigint;
  unbondingDelay: bigint;
  faucetLimit: bigint;
  faucetCooldown: bigint;
  /** Receives protocol fees and slashed stake; defaults to the deployer. */
  treasury?: Address;
}

/**
 * Parameters of the local devnet: periods of a minute, so proofs and slashing happen within
 * minutes, yet a node restart (a few seconds) or a burst of uploads never makes a healthy node
 * miss. A node proves a period as soon as its seed exists (a second or two in), so it may be down
 * for up to about 55 s at any moment without missing; a miss costs `slashAmount` of its stake and
 * that period's pay, and `missesToDrop` misses in a row drop it from its blobs.
 */
export const devnetParams: DeployParams = {
  epochSeconds: 600,
  periodSeconds: 60,
  feeBps: 100,
  certifyWindow: 600,
  coldMargin: 1,
  samplesPerProof: 5,
  missesToDrop: 3,
  slashAmount: 10n * 10n ** 18n,
  reporterBps: 2_000,
  minStake: 100n * 10n ** 18n,
  unbondingDelay: 60n,
  faucetLimit: 1_000_000n * 10n ** 18n,
  faucetCooldown: 0n,
};

type Wallet = WalletClient<Transport, Chain, Account>;

interface Artifact {
  abi: readonly unknown[];
  bytecode: Hex;
}

const sources = {
  StrataToken: "token/StrataToken.sol",
  NodeRegistry: "registry/NodeRegistry.sol",
  StorageMarket: "market/StorageMarket.sol",
  NameRegistry: "names/NameRegistry.sol",
  VaultRegistry: "vaults/VaultRegistry.sol",
} as const;

async function readArtifact(root: string, name: keyof typeof sources): Promise<Artifact> {
  const path = join(root, "artifacts", "contracts", sources[name], `${name}.json`);
  return JSON.parse(await readFile(path, "utf8")) as Artifact;
}

/**
 * Deploys token, registry and market (which creates its proof system), grants the proof system
 * the slasher role and makes it the registry's stake guard, then the name and vault registries. Reads bytecode from Hardhat's
 * artifacts under `root` (run `npm run build` first).
 */
export async function deployStrata(options: {
  wallet: Wallet;
  publicClient: PublicClient;
  params: DeployParams;
  root: string;
  signal?: AbortSignal;
}): Promise<Deployment> {
  const { wallet, publicClient, params, root, signal } = options;
  const deployer = wallet.account.address;
  const deploy = async (name: keyof typeof sources, args: readonly unknown[]) => {
    signal?.throwIfAborted();
    const artifact = await readArtifact(root, name);
    const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deploying ${name} failed`);
    return { address: receipt.contractAddress, block: receipt.blockNumber };
  };
  const send = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  };

  const token = await deploy("StrataToken", [params.faucetLimit, params.faucetCooldown]);
  const registry = await deploy("NodeRegistry", [
    token.address,
    params.minStake,
    params.unbondingDelay,
    deployer,
  ]);
  const treasury = params.treasury ?? deployer;
  const market = await deploy("StorageMarket", [
    {
      token: token.address,
      registry: registry.address,
      treasury,
      epochSeconds: params.epochSeconds,
      periodSeconds: params.periodSeconds,
      feeBps: params.feeBps,
      certifyWindow: params.certifyWindow,
      coldMargin: params.coldMargin,
      samplesPerProof: params.samplesPerProof,
      missesToDrop: params.missesToDrop,
      slashAmount: params.slashAmount,
      reporterBps: params.reporterBps,
    },
  ]);
  const read = { address: market.address, abi: storageMarketAbi } as const;
  const [proofSystem, genesis] = await Promise.all([
    publicClient.readContract({ ...read, functionName: "proofSystem" }),
    publicClient.readContract({ ...read, functionName: "genesis" }),
  ]);
  signal?.throwIfAborted();
  const slasherRole = await publicClient.readContract({
    address: registry.address,
    abi: nodeRegistryAbi,
    functionName: "SLASHER_ROLE",
  });
  await send(
    await wallet.writeContract({
      address: registry.address,
      abi: nodeRegistryAbi,
      functionName: "grantRole",
      args: [slasherRole, proofSystem],
    }),
  );
  await send(
    await wallet.writeContract({
      address: registry.address,
      abi: nodeRegistryAbi,
      functionName: "setStakeGuard",
      args: [proofSystem],
    }),
  );
  const names = await deploy("NameRegistry", []);
  const vaults = await deploy("VaultRegistry", [
    token.address,
    registry.address,
    market.address,
    params.epochSeconds,
  ]);
  return {
    chainId: await publicClient.getChainId(),
    deploymentBlock: token.block,
    contracts: {
      token: getAddress(token.address),
      registry: getAddress(registry.address),
      market: getAddress(market.address),
      proofSystem: getAddress(proofSystem),
      names: getAddress(names.address),
      vaults: getAddress(vaults.address),
    },
    params: {
      epochSeconds: params.epochSeconds,
      periodSeconds: params.periodSeconds,
      genesis: Number(genesis),
    },
  };
}
