import { type Hex, hexToBytes, type Log, parseEventLogs, toHex } from "viem";
import { concat, type Deployment, MerkleTree, shardsRoot, storageMarketAbi } from "#protocol";
import {
  attest,
  type BlobOptions,
  blobParams,
  contractsFor,
  randomBytes,
  type StrataHarness,
  type TestNode,
} from "./strata-fixture.ts";

export interface RegisteredBlob {
  blobId: Hex;
  commitment: Hex;
  size: bigint;
  data: Uint8Array;
  tree: MerkleTree;
  nodes: TestNode[];
  cost: bigint;
  fee: bigint;
  /** Gas of the registerBlob transaction. */
  gasUsed: bigint;
  /** Logs of the registerBlob transaction. */
  logs: Log[];
  /** Cold: every holder's shard commitment (the shards are random bytes of shardSize). */
  shardRoots?: Hex[] | undefined;
}

const treeCache = new WeakMap<Uint8Array, MerkleTree>();

/** The tree of `data`, built once per buffer. */
function treeOf(data: Uint8Array): MerkleTree {
  let tree = treeCache.get(data);
  if (!tree) {
    tree = MerkleTree.of(data);
    treeCache.set(data, tree);
  }
  return tree;
}

/** Market actions a test drives: register, enroll, certify, prove. */
export function marketActions(h: StrataHarness, deployment: Deployment) {
  const trees = new Map<Hex, MerkleTree>();
  // cold shards' trees, by shard commitment
  const shardTrees = new Map<Hex, MerkleTree>();

  async function register(options: BlobOptions): Promise<RegisteredBlob> {
    const data = options.data ?? randomBytes(1000, trees.size + 1);
    const tree = treeOf(data);
    let shardRoots: Hex[] | undefined;
    let commitment = toHex(tree.root);
    if (options.tier === "cold") {
      const shards = options.nodes.map((_, i) =>
        MerkleTree.of(randomBytes(Number(options.shardSize ?? 1n), data.length * 31 + i + 1)),
      );
      shardRoots = shards.map((shard) => toHex(shard.root));
      for (const shard of shards) shardTrees.set(toHex(shard.root), shard);
      commitment = toHex(shardsRoot(shards.map((shard) => shard.root)));
    }
    const params = blobParams({ ...options, data, commitment });
    const as = contractsFor(deployment, h.publicClient, options.owner);
    const stored = params.tier === 0 ? params.size : params.shardSize;
    const [cost, fee] = await as.market.read.quote([params.nodes, params.tier, stored, params.epochs]);
    await h.wait(await as.token.write.faucet([cost + fee]));
    await h.wait(await as.token.write.approve([deployment.contracts.market, cost + fee]));
    const receipt = await h.wait(await as.market.write.registerBlob([params]));
    const [event] = parseEventLogs({
      abi: storageMarketAbi,
      logs: receipt.logs,
      eventName: "BlobRegistered",
    });
    if (!event) throw new Error("no BlobRegistered event");
    trees.set(event.args.blobId, tree);
    return {
      blobId: event.args.blobId,
      commitment: params.commitment,
      size: params.size,
      data,
      tree,
      nodes: options.nodes,
      cost,
      fee,
      gasUsed: receipt.gasUsed,
      logs: receipt.logs,
      shardRoots,
    };
  }

  /** Submits attestations the way the blob's tier takes them (certify, or certifyShards). */
  async function certify(
    blob: RegisteredBlob,
    owner: BlobOptions["owner"],
    list?: Awaited<ReturnType<typeof attestations>>,
  ) {
    const as = contractsFor(deployment, h.publicClient, owner);
    const signed = list ?? (await attestations(blob));
    return h.wait(
      await (blob.shardRoots
        ? as.market.write.certifyShards([blob.blobId, signed, blob.shardRoots])
        : as.market.write.certify([blob.blobId, signed])),
    );
  }

  /** Each holder enrolls the blob; returns the logs of those transactions. */
  async function enroll(blob: RegisteredBlob, holders: number[] = blob.nodes.map((_, i) => i)) {
    const logs: Log[] = [];
    for (const holder of holders) {
      const node = blob.nodes[holder] as TestNode;
      logs.push(
        ...(await h.wait(await node.as.proofs.write.enroll([node.nodeId, [blob.blobId], [holder]]))).logs,
      );
    }
    return logs;
  }

  async function attestations(blob: RegisteredBlob, holders: number[] = blob.nodes.map((_, i) => i)) {
    const now = (await h.publicClient.getBlock()).timestamp;
    return Promise.all(
      holders.map((holder) => attest(deployment, blob.nodes[holder] as TestNode, holder, blob, now + 3600n)),
    );
  }

  /** Registers, enrolls every holder and certifies with all attestations. */
  async function store(options: BlobOptions): Promise<RegisteredBlob> {
    const blob = await register(options);
    await enroll(blob);
    await certify(blob, options.owner);
    return blob;
  }

  /** Moves time to the start of the next period (plus `extra` whole periods). */
  async function nextPeriod(extra = 0) {
    const seconds = deployment.params.periodSeconds;
    const now = Number((await h.publicClient.getBlock()).timestamp);
    const into = (now - deployment.params.genesis) % seconds;
    await h.networkHelpers.time.increaseTo(now - into + seconds * (extra + 1));
  }

  async function currentPeriod(): Promise<number> {
    const as = contractsFor(deployment, h.publicClient, h.wallet(0));
    return Number(await as.proofs.read.currentPeriod());
  }

  /**
   * Commits the current period's seed and mines past the block it points at (calls see the
   * hash of a block only once a later block exists).
   */
  async function revealSeed() {
    const as = contractsFor(deployment, h.publicClient, h.wallet(0));
    await h.wait(await as.proofs.write.commitSeed());
    await h.networkHelpers.mine(2);
  }

  /** The proof `node` owes this period, built from the blobs' trees. */
  async function buildProof(node: TestNode): Promise<Hex> {
    const challenges = await node.as.proofs.read.challenges([node.nodeId]);
    const parts = challenges.map((challenge) => {
      const tree = shardTrees.get(challenge.root) ?? trees.get(challenge.blobId);
      if (!tree) throw new Error(`no tree for ${challenge.blobId}`);
      return tree.proof(Number(challenge.leafIndex));
    });
    return toHex(concat(parts));
  }

  async function prove(node: TestNode) {
    return h.wait(await node.as.proofs.write.submitProof([node.nodeId, await buildProof(node)]));
  }

  return {
    trees,
    register,
    enroll,
    attestations,
    certify,
    store,
    nextPeriod,
    currentPeriod,
    revealSeed,
    buildProof,
    prove,
    bytes: hexToBytes,
  };
}
