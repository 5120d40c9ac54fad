import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Account,
  type Address,
  type Chain,
  getAddress,
  getContractAddress,
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
  /** Most tokens one faucet call of a fresh devnet token hands out; 0n turns the faucet off. */
  faucetLimit: bigint;
  faucetCooldown: bigint;
  /** Tokens a fresh devnet token mints to the deployer (default none). */
  supply?: bigint;
  /** An existing ERC-20 to pay and stake with, instead of a fresh devnet token. */
  token?: Address;
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
 * Deploys the token (unless `params.token` names an existing ERC-20), registry and market (which
 * creates its proof system), grants the proof system the slasher role and makes it the registry's
 * stake guard, then the name and vault registries. Reads bytecode from Hardhat's artifacts under
 * `root` (run `npm run build` first).
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
  // every contract is created from the deployer's consecutive nonces, so all of them are sent at
  // once (their constructors call no other contract) and the chain mines them in a block or two
  let nonce = await publicClient.getTransactionCount({ address: deployer, blockTag: "pending" });
  const deploy = async (name: keyof typeof sources, args: readonly unknown[]) => {
    signal?.throwIfAborted();
    const artifact = await readArtifact(root, name);
    const address = getContractAddress({ from: deployer, nonce: BigInt(nonce) });
    const hash = await wallet.deployContract({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args,
      nonce: nonce++,
    });
    return { name, address, hash };
  };
  const mined = async (hash: Hex, what: string) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${what} failed (transaction ${hash} reverted)`);
    return receipt.blockNumber;
  };

  const token = params.token
    ? undefined
    : await deploy("StrataToken", [params.faucetLimit, params.faucetCooldown, deployer, params.supply ?? 0n]);
  const tokenAddress = params.token ?? (token?.address as Address);
  const registry = await deploy("NodeRegistry", [
    tokenAddress,
    params.minStake,
    params.unbondingDelay,
    deployer,
  ]);
  const treasury = params.treasury ?? deployer;
  const market = await deploy("StorageMarket", [
    {
      token: tokenAddress,
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
  const names = await deploy("NameRegistry", []);
  const vaults = await deploy("VaultRegistry", [
    tokenAddress,
    registry.address,
    market.address,
    params.epochSeconds,
  ]);
  const created = [token, registry, market, names, vaults].filter((d) => d !== undefined);
  const blocks = await Promise.all(created.map((d) => mined(d.hash, `deploying ${d.name}`)));
  // the market creates its proof system, the first contract it deploys (nonce 1)
  const proofSystem = getContractAddress({ from: market.address, nonce: 1n });
  signal?.throwIfAborted();
  const slasherRole = await publicClient.readContract({
    address: registry.address,
    abi: nodeRegistryAbi,
    functionName: "SLASHER_ROLE",
  });
  const grant = await wallet.writeContract({
    address: registry.address,
    abi: nodeRegistryAbi,
    functionName: "grantRole",
    args: [slasherRole, proofSystem],
    nonce: nonce++,
  });
  const guard = await wallet.writeContract({
    address: registry.address,
    abi: nodeRegistryAbi,
    functionName: "setStakeGuard",
    args: [proofSystem],
    nonce: nonce++,
  });
  await Promise.all([mined(grant, "granting the slasher role"), mined(guard, "setting the stake guard")]);
  const read = { address: market.address, abi: storageMarketAbi } as const;
  const [marketProofs, genesis] = await Promise.all([
    publicClient.readContract({ ...read, functionName: "proofSystem" }),
    publicClient.readContract({ ...read, functionName: "genesis" }),
  ]);
  if (getAddress(marketProofs) !== getAddress(proofSystem))
    throw new Error(`the market's proof system is ${marketProofs}, not ${proofSystem}`);
  return {
    chainId: await publicClient.getChainId(),
    deploymentBlock: blocks.reduce((a, b) => (a < b ? a : b)),
    contracts: {
      token: getAddress(tokenAddress),
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
