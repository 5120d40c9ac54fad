import { randomBytes } from "node:crypto";
import { type Address, type Hex, type PublicClient, parseEventLogs, toHex } from "viem";
import {
  type ColdLayout,
  coldCommitmentOfStream,
  coldLayoutForFaults,
  type Deployment,
  storageMarketAbi,
  strataTokenAbi,
  Tier,
  type TierName,
} from "#protocol";
import type { StoreReply } from "../../node/http/schemas.ts";
import {
  describeFailure,
  InsufficientFundsError,
  InvalidArgumentError,
  type NodeFailure,
  UploadError,
} from "../errors.ts";
import type { ChainSigner } from "./chain-signer.ts";
import { approveIfShort, sendCall } from "./contract-calls.ts";
import type { IndexerClient } from "./indexer-client.ts";
import { postMigrate } from "./post-migrate.ts";
import { type PreparedSource, prepareSource, type UploadSource } from "./prepare-source.ts";
import { selectNodes } from "./select-nodes.ts";
import { sendShards } from "./send-shards.ts";

export interface UploadProgress {
  stage: "hashing" | "paying" | "registering" | "uploading" | "certifying" | "done";
  /** Bytes hashed (hashing) or sent to all nodes together (uploading). */
  bytes: number;
  /** The blob's size (hashing: unknown until the end, 0) or size × nodes (uploading). */
  total: number;
}

export interface UploadOptions {
  tier?: TierName;
  /** How many nodes to pick through the indexer (hot: replicas, default 3; cold: shard holders, default 5); or `nodes` to name them. */
  replicas?: number;
  /** Cold: holders that may be lost with the blob still recoverable (default about a third of them, at least 1). */
  faults?: number;
  nodes?: number[];
  epochs?: number;
  name?: string;
  mimeType?: string;
  tags?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /**
   * Cold only: a hot holder of the same bytes encodes and sends the shards and certifies
   * (POST /migrate), instead of this client. Used by `StrataClient.migrate`.
   */
  viaNode?: { blobId: Hex; endpoint: string };
}

export interface UploadResult {
  blobId: Hex;
  cid: string;
  size: number;
  commitment: Hex;
  nodes: { nodeId: number; endpoint: string }[];
  cost: bigint;
  fee: bigint;
  transactions: { approve?: Hex; register: Hex; certify: Hex };
  /** Cold: the code's parameters and every holder's shard commitment (holder order). */
  cold?: { recovery: number; faults: number; shardSize: number; shardRoots: Hex[] };
}

export interface UploadContext {
  publicClient: PublicClient;
  signer: ChainSigner;
  deployment: Deployment;
  indexer: IndexerClient;
}

/**
 * The whole upload: CID and commitment computed locally in one streaming pass, nodes picked
 * through the indexer, the price quoted, approved and paid into escrow by `registerBlob`, the
 * bytes streamed to every node in parallel, their attestations collected and submitted by
 * `certify`. If fewer nodes than the quorum attest, nothing is certified and an UploadError says
 * which failed and why; the escrow comes back with `reclaim` after the deadline.
 */
export async function uploadBlob(
  ctx: UploadContext,
  source: UploadSource,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const { publicClient, signer, deployment, indexer } = ctx;
  const { signal, onProgress } = options;
  const tier = options.tier ?? "hot";
  if (tier !== "hot" && tier !== "cold") throw new InvalidArgumentError(`unknown tier ${String(tier)}`);
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new InvalidArgumentError("epochs must be a positive integer");

  let hashed = 0;
  const prepared = await prepareSource(source, {
    ...(signal ? { signal } : {}),
    onBytes: (bytes) => {
      hashed += bytes;
      onProgress?.({ stage: "hashing", bytes: hashed, total: 0 });
    },
  });
  try {
    // holder i of the registration is the i-th node in ascending id order (cold: it keeps shard i)
    const chosen = (await chooseNodes(indexer, prepared.size, tier, options, signal)).sort(
      (a, b) => a.nodeId - b.nodeId,
    );
    const nodeIds = chosen.map((node) => node.nodeId);
    const cold = tier === "cold" ? await planCold(prepared, nodeIds.length, options, signal) : undefined;
    const owner = await signer.address();
    const market = deployment.contracts.market;
    const [cost, fee] = await publicClient.readContract({
      address: market,
      abi: storageMarketAbi,
      functionName: "quote",
      args: [nodeIds, Tier[tier], BigInt(cold ? cold.layout.shardSize : prepared.size), epochs],
    });
    onProgress?.({ stage: "paying", bytes: 0, total: 0 });
    const approve = await ensureAllowance(ctx, owner, cost + fee, signal);

    onProgress?.({ stage: "registering", bytes: 0, total: 0 });
    const registered = await sendCall(
      publicClient,
      signer,
      {
        address: market,
        abi: storageMarketAbi,
        functionName: "registerBlob",
        args: [
          cold
            ? { ...hotBlobParams(prepared, nodeIds, epochs, options), ...coldParams(cold) }
            : hotBlobParams(prepared, nodeIds, epochs, options),
        ],
      },
      signal ? { signal } : {},
    );
    const [event] = parseEventLogs({
      abi: storageMarketAbi,
      logs: registered.receipt.logs,
      eventName: "BlobRegistered",
    });
    if (!event) throw new InvalidArgumentError("registerBlob succeeded without a BlobRegistered event");
    const blobId = event.args.blobId;

    if (cold && options.viaNode) {
      onProgress?.({ stage: "uploading", bytes: 0, total: 0 });
      const moved = await migrateThrough(options.viaNode, blobId, signal);
      onProgress?.({ stage: "done", bytes: 0, total: 0 });
      return {
        blobId,
        cid: prepared.cid,
        size: prepared.size,
        commitment: cold.commitment,
        nodes: chosen.map(({ nodeId, endpoint }) => ({ nodeId, endpoint })),
        cost,
        fee,
        transactions: {
          ...(approve ? { approve } : {}),
          register: registered.hash,
          certify: moved.transaction,
        },
        cold: coldSummary(cold),
      };
    }
    const total = (cold ? cold.layout.shardSize : prepared.size) * chosen.length;
    let sent = 0;
    const sending = {
      ...(signal ? { signal } : {}),
      onBytes: (bytes: number) => {
        sent += bytes;
        onProgress?.({ stage: "uploading", bytes: sent, total });
      },
    };
    const { replies, failures } = cold
      ? await sendShards(() => prepared.open(), cold.layout, blobId, cold.shardRoots, chosen, sending)
      : await sendToNodes(prepared, blobId, chosen, sending);
    const info = await publicClient.readContract({
      address: market,
      abi: storageMarketAbi,
      functionName: "getBlob",
      args: [blobId],
    });
    if (replies.length < info.quorum) {
      throw new UploadError(
        blobId,
        failures,
        replies.map((reply) => reply.nodeId),
        info.quorum,
      );
    }

    onProgress?.({ stage: "certifying", bytes: total, total });
    const attestations = replies.map((reply) => ({
      holder: reply.attestation.holder,
      expiry: BigInt(reply.attestation.expiry),
      r: reply.attestation.r as Hex,
      vs: reply.attestation.vs as Hex,
    }));
    const certified = await sendCall(
      publicClient,
      signer,
      cold
        ? {
            address: market,
            abi: storageMarketAbi,
            functionName: "certifyShards",
            args: [blobId, attestations, cold.shardRoots],
          }
        : { address: market, abi: storageMarketAbi, functionName: "certify", args: [blobId, attestations] },
      signal ? { signal } : {},
    );
    onProgress?.({ stage: "done", bytes: total, total });
    return {
      blobId,
      cid: prepared.cid,
      size: prepared.size,
      commitment: cold ? cold.commitment : prepared.commitment,
      nodes: chosen.map(({ nodeId, endpoint }) => ({ nodeId, endpoint })),
      cost,
      fee,
      transactions: { ...(approve ? { approve } : {}), register: registered.hash, certify: certified.hash },
      ...(cold ? { cold: coldSummary(cold) } : {}),
    };
  } finally {
    await prepared.dispose();
  }
}

/** A cold upload's layout and shard commitments, from one encoding pass over the prepared blob. */
interface ColdPlan {
  layout: ColdLayout;
  shardRoots: Hex[];
  commitment: Hex;
}

async function planCold(
  prepared: PreparedSource,
  holders: number,
  options: UploadOptions,
  signal?: AbortSignal,
): Promise<ColdPlan> {
  const faults = options.faults ?? Math.max(1, Math.floor((holders - 1) / 3));
  if (!Number.isInteger(faults) || faults < 0 || faults >= holders) {
    throw new InvalidArgumentError(
      `faults must be an integer from 0 to ${holders - 1} for ${holders} shard holders`,
    );
  }
  const layout = coldLayoutForFaults(prepared.size, holders, faults);
  const { shardRoots, commitment } = await coldCommitmentOfStream(prepared.open(), layout, signal);
  return { layout, shardRoots: shardRoots.map((root) => toHex(root)), commitment: toHex(commitment) };
}

function coldSummary(plan: ColdPlan) {
  return {
    recovery: plan.layout.recovery,
    faults: plan.layout.nodes - plan.layout.recovery,
    shardSize: plan.layout.shardSize,
    shardRoots: plan.shardRoots,
  };
}

/** Asks a hot holder to fill cold registration `coldBlobId` from its copy (POST /migrate). */
async function migrateThrough(
  via: { blobId: Hex; endpoint: string },
  coldBlobId: Hex,
  signal?: AbortSignal,
): Promise<{ transaction: Hex }> {
  let why: string;
  try {
    const reply = await postMigrate(via.endpoint, { blobId: via.blobId, to: "cold", coldBlobId }, signal);
    if (reply.transaction && reply.certified) return { transaction: reply.transaction };
    why = "the node did not certify the cold blob";
  } catch (error) {
    signal?.throwIfAborted();
    why = describeFailure(error);
  }
  throw new UploadError(coldBlobId, [{ nodeId: 0, endpoint: via.endpoint, error: why }], [], 0);
}

/** What a cold registration adds to a hot one: the tier, the cold commitment and the shard layout. */
function coldParams(plan: ColdPlan) {
  return {
    tier: Tier.cold,
    commitment: plan.commitment,
    shardSize: BigInt(plan.layout.shardSize),
    recovery: plan.layout.recovery,
  };
}

/** The `registerBlob` arguments of a hot blob: a fresh salt, the prepared CID and commitment. */
export function hotBlobParams(
  prepared: Pick<PreparedSource, "cidBytes" | "commitment" | "size">,
  nodes: number[],
  epochs: number,
  meta: { name?: string; mimeType?: string; tags?: string[] } = {},
) {
  return {
    salt: toHex(randomBytes(32)),
    cid: prepared.cidBytes,
    commitment: prepared.commitment,
    size: BigInt(prepared.size),
    tier: Tier.hot,
    nodes,
    epochs,
    shardSize: 0n,
    recovery: 0,
    name: meta.name ?? "",
    mimeType: meta.mimeType ?? "application/octet-stream",
    tags: meta.tags ?? [],
  };
}

async function chooseNodes(
  indexer: IndexerClient,
  size: number,
  tier: TierName,
  options: UploadOptions,
  signal?: AbortSignal,
): Promise<{ nodeId: number; endpoint: string }[]> {
  const nodes = await indexer.nodes(signal);
  if (options.nodes) {
    const named = options.nodes.map((id) => {
      const node = nodes.find((candidate) => candidate.nodeId === id);
      if (!node) throw new InvalidArgumentError(`node ${id} is not registered (or not indexed yet)`);
      return node;
    });
    if (new Set(options.nodes).size !== options.nodes.length) throw new InvalidArgumentError("nodes repeat");
    return named;
  }
  const replicas = options.replicas ?? (tier === "cold" ? 5 : 3);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
    throw new InvalidArgumentError("replicas must be an integer from 1 to 16");
  }
  return selectNodes(nodes, { count: replicas, size, tier });
}

/** Approves the market for `amount` if the allowance is short; checks the balance first. */
async function ensureAllowance(ctx: UploadContext, owner: Address, amount: bigint, signal?: AbortSignal) {
  const { publicClient, deployment, signer } = ctx;
  const token = deployment.contracts.token;
  const balance = await publicClient.readContract({
    address: token,
    abi: strataTokenAbi,
    functionName: "balanceOf",
    args: [owner],
  });
  if (balance < amount) throw new InsufficientFundsError(amount, balance);
  return approveIfShort(
    publicClient,
    signer,
    { token, owner, spender: deployment.contracts.market, amount },
    signal ? { signal } : {},
  );
}

/** PUTs the blob to every node at once; each answer is an attestation or a failure. */
async function sendToNodes(
  prepared: PreparedSource,
  blobId: Hex,
  nodes: { nodeId: number; endpoint: string }[],
  options: { signal?: AbortSignal; onBytes: (bytes: number) => void },
) {
  const results = await Promise.allSettled(
    nodes.map(async (node) => {
      const counted = async function* () {
        for await (const chunk of prepared.open()) {
          options.onBytes(chunk.length);
          yield chunk;
        }
      };
      const response = await fetch(`${node.endpoint}/store?blobId=${blobId}`, {
        method: "PUT",
        body: counted() as unknown as BodyInit,
        headers: { "content-type": "application/octet-stream" },
        duplex: "half",
        ...(options.signal ? { signal: options.signal } : {}),
      } as RequestInit);
      const json = (await response.json().catch(() => undefined)) as
        | (StoreReply & { error?: { code: string; message: string } })
        | undefined;
      if (!response.ok || !json) {
        const why = json?.error ? `${json.error.code}: ${json.error.message}` : response.statusText;
        throw new Error(`HTTP ${response.status} ${why}`);
      }
      if (json.blobId.toLowerCase() !== blobId.toLowerCase() || json.cid !== prepared.cid) {
        throw new Error("the node stored something else");
      }
      return json;
    }),
  );
  const replies: StoreReply[] = [];
  const failures: NodeFailure[] = [];
  results.forEach((result, index) => {
    const node = nodes[index] as { nodeId: number; endpoint: string };
    if (result.status === "fulfilled") replies.push(result.value);
    else failures.push({ ...node, error: describeFailure(result.reason) });
  });
  options.signal?.throwIfAborted();
  return { replies, failures };
}
