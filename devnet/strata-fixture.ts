import { randomBytes as randomSalt32 } from "node:crypto";
import { join } from "node:path";
import { network } from "hardhat";
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createWalletClient,
  custom,
  getContract,
  type Hex,
  keccak256,
  type PublicClient,
  parseEventLogs,
  parseSignature,
  signatureToCompactSignature,
  type Transport,
  toHex,
  type WalletClient,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import {
  attestationTypedData,
  commitmentOf,
  type Deployment,
  MerkleTree,
  nodeRegistryAbi,
  proofSystemAbi,
  storageMarketAbi,
  strataErrorsAbi,
  strataTokenAbi,
  Tier,
  type TierName,
} from "#protocol";
import { type DeployParams, deployStrata } from "./deploy-strata.ts";

export const TOKEN = 10n ** 18n;

export const testParams: DeployParams = {
  epochSeconds: 600,
  periodSeconds: 60,
  feeBps: 100,
  certifyWindow: 300,
  coldMargin: 1,
  samplesPerProof: 3,
  missesToDrop: 3,
  slashAmount: 10n * TOKEN,
  reporterBps: 2_000,
  minStake: 100n * TOKEN,
  unbondingDelay: 50n,
  faucetLimit: 1_000_000n * TOKEN,
  faucetCooldown: 0n,
};

type Wallet = WalletClient<Transport, Chain, Account>;

/** An ABI with every Strata custom error appended, so reverts from any contract decode. */
function withErrors<const T extends Abi>(abi: T) {
  const own = new Set(
    abi.filter((item) => item.type === "error").map((item) => (item as { name: string }).name),
  );
  return [...abi, ...strataErrorsAbi.filter((item) => !own.has(item.name))] as unknown as T;
}

export function contractsFor(deployment: Deployment, publicClient: PublicClient, wallet: Wallet) {
  const client = { public: publicClient, wallet };
  const { contracts } = deployment;
  return {
    token: getContract({ address: contracts.token, abi: withErrors(strataTokenAbi), client }),
    registry: getContract({ address: contracts.registry, abi: withErrors(nodeRegistryAbi), client }),
    market: getContract({ address: contracts.market, abi: withErrors(storageMarketAbi), client }),
    proofs: getContract({ address: contracts.proofSystem, abi: withErrors(proofSystemAbi), client }),
  };
}

export type StrataContracts = ReturnType<typeof contractsFor>;

export interface TestNode {
  nodeId: number;
  operator: Wallet;
  signer: PrivateKeyAccount;
  price: bigint;
  as: StrataContracts;
}

/** Deterministic signing key of test node `index`. */
export function signerKey(index: number): Hex {
  return keccak256(toHex(`strata-test-node-${index}`));
}

export function nodeParams(signer: Address, index: number, overrides: Partial<NodeParams> = {}): NodeParams {
  return {
    signer,
    endpoint: `http://127.0.0.1:${9100 + index}`,
    peerId: `12D3KooWTestNode${index}`,
    multiaddrs: [`/ip4/127.0.0.1/tcp/${4100 + index}`],
    tiers: 3,
    capacity: 1n << 40n,
    pricePerByteEpoch: 1000n + BigInt(index) * 100n,
    ...overrides,
  };
}

export interface NodeParams {
  signer: Address;
  endpoint: string;
  peerId: string;
  multiaddrs: string[];
  tiers: number;
  capacity: bigint;
  pricePerByteEpoch: bigint;
}

/**
 * Connects a fresh in-process Hardhat chain, deploys Strata with `params` and returns helpers.
 * Wallets: 0 deployer, 1 treasury, 2..7 node operators, 8..9 dApp owners.
 */
export async function connectStrata(params: DeployParams = testParams) {
  const connection = await network.connect();
  const { viem, networkHelpers } = connection;
  const publicClient = (await viem.getPublicClient()) as unknown as PublicClient;
  const wallets = (await viem.getWalletClients()) as unknown as Wallet[];
  const wallet = (i: number) => wallets[i] as Wallet;
  const root = join(import.meta.dirname, "..");

  async function deploy() {
    const deployment = await deployStrata({
      wallet: wallet(0),
      publicClient,
      params: { ...params, treasury: wallet(1).account.address },
      root,
    });
    return { deployment, as: (w: Wallet) => contractsFor(deployment, publicClient, w) };
  }

  async function wait(hash: Hex) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt;
  }

  /** Registers and stakes `count` nodes (operators are wallets 2..). */
  async function registerNodes(
    deployment: Deployment,
    count: number,
    overrides: (index: number) => Partial<NodeParams> = () => ({}),
  ): Promise<TestNode[]> {
    const nodes: TestNode[] = [];
    for (let i = 0; i < count; i += 1) {
      const operator = wallet(2 + i);
      const signer = privateKeyToAccount(signerKey(i));
      const as = contractsFor(deployment, publicClient, operator);
      const p = nodeParams(signer.address, i, overrides(i));
      const receipt = await wait(await as.registry.write.register([p]));
      const [event] = parseEventLogs({
        abi: nodeRegistryAbi,
        logs: receipt.logs,
        eventName: "NodeRegistered",
      });
      const nodeId = Number(event?.args.nodeId);
      await wait(await as.token.write.faucet([params.minStake]));
      await wait(await as.token.write.approve([deployment.contracts.registry, params.minStake]));
      await wait(await as.registry.write.stake([nodeId, params.minStake]));
      await networkHelpers.setBalance(signer.address, 10n ** 21n);
      // the signing key pays its vaults' snapshot blobs
      const signerAs = contractsFor(deployment, publicClient, await signerWallet({ signer } as TestNode));
      await wait(await signerAs.token.write.faucet([params.faucetLimit / 10n]));
      nodes.push({ nodeId, operator, signer, price: p.pricePerByteEpoch, as });
    }
    return nodes;
  }

  /** A wallet that sends from the node's signing key (funded by registerNodes). */
  async function signerWallet(node: TestNode): Promise<Wallet> {
    return createWalletClient({
      account: node.signer,
      chain: await viem.getPublicClient().then((c) => c.chain),
      transport: custom(connection.provider),
    }) as unknown as Wallet;
  }

  return {
    connection,
    viem,
    networkHelpers,
    publicClient,
    wallet,
    wallets,
    deploy,
    wait,
    registerNodes,
    signerWallet,
  };
}

export type StrataHarness = Awaited<ReturnType<typeof connectStrata>>;

/** Deterministic pseudo-random bytes. */
export function randomBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function randomSalt(): Uint8Array {
  return randomSalt32(32);
}

export interface BlobOptions {
  owner: Wallet;
  nodes: TestNode[];
  data?: Uint8Array;
  tier?: TierName;
  epochs?: number;
  shardSize?: bigint;
  recovery?: number;
  name?: string;
  mimeType?: string;
  tags?: string[];
}

export function blobParams(options: BlobOptions & { data: Uint8Array; commitment?: Hex }) {
  const tier = options.tier ?? "hot";
  return {
    salt: toHex(randomSalt()),
    cid: toHex(`bafk-test-${options.data.length}`),
    commitment: options.commitment ?? toHex(commitmentOf(options.data)),
    size: BigInt(options.data.length),
    tier: Tier[tier],
    nodes: options.nodes.map((node) => node.nodeId),
    epochs: options.epochs ?? 2,
    shardSize: options.shardSize ?? 0n,
    recovery: options.recovery ?? 0,
    name: options.name ?? "blob.bin",
    mimeType: options.mimeType ?? "application/octet-stream",
    tags: options.tags ?? ["test"],
  };
}

/** Signs an attestation of holder `holder` (node `node`) for `blobId`, in the compact form certify takes. */
export async function attest(
  deployment: Deployment,
  node: TestNode,
  holder: number,
  blob: { blobId: Hex; commitment: Hex; size: bigint },
  expiry: bigint,
  overrides: { chainId?: number; market?: Address } = {},
) {
  const signature = await node.signer.signTypedData(
    attestationTypedData(
      overrides.chainId ?? deployment.chainId,
      overrides.market ?? deployment.contracts.market,
      {
        blobId: blob.blobId,
        commitment: blob.commitment,
        size: blob.size,
        nodeId: node.nodeId,
        expiry,
      },
    ),
  );
  const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
  return { holder, expiry, r, vs: yParityAndS };
}

export { MerkleTree };
