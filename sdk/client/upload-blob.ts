import { randomBytes } from "node:crypto";
import { type Address, type Hex, type PublicClient, parseEventLogs, toHex } from "viem";
import { type Deployment, storageMarketAbi, strataTokenAbi, Tier, type TierName } from "#protocol";
import type { StoreReply } from "../../node/http/schemas.ts";
import { InsufficientFundsError, InvalidArgumentError, type NodeFailure, UploadError } from "../errors.ts";
import type { ChainSigner } from "./chain-signer.ts";
import { approveIfShort, sendCall } from "./contract-calls.ts";
import type { IndexerClient } from "./indexer-client.ts";
import { type PreparedSource, prepareSource, type UploadSource } from "./prepare-source.ts";
import { selectNodes } from "./select-nodes.ts";

export interface UploadProgress {
  stage: "hashing" | "paying" | "registering" | "uploading" | "certifying" | "done";
  /** Bytes hashed (hashing) or sent to all nodes together (uploading). */
  bytes: number;
  /** The blob's size (hashing: unknown until the end, 0) or size × nodes (uploading). */
  total: number;
}

export interface UploadOptions {
  tier?: TierName;
  /** How many nodes to pick through the indexer (default 3); or `nodes` to name them. */
  replicas?: number;
  nodes?: number[];
  epochs?: number;
  name?: string;
  mimeType?: string;
  tags?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
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
  if (tier !== "hot") throw new InvalidArgumentError("only the hot tier takes uploads so far");
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
    const chosen = await chooseNodes(indexer, prepared.size, tier, options, signal);
    const nodeIds = chosen.map((node) => node.nodeId).sort((a, b) => a - b);
    const owner = await signer.address();
    const market = deployment.contracts.market;
    const [cost, fee] = await publicClient.readContract({
      address: market,
      abi: storageMarketAbi,
      functionName: "quote",
      args: [nodeIds, Tier[tier], BigInt(prepared.size), epochs],
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
        args: [hotBlobParams(prepared, nodeIds, epochs, options)],
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

    const total = prepared.size * chosen.length;
    let sent = 0;
    const { replies, failures } = await sendToNodes(prepared, blobId, chosen, {
      ...(signal ? { signal } : {}),
      onBytes: (bytes) => {
        sent += bytes;
        onProgress?.({ stage: "uploading", bytes: sent, total });
      },
    });
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
    const certified = await sendCall(
      publicClient,
      signer,
      {
        address: market,
        abi: storageMarketAbi,
        functionName: "certify",
        args: [
          blobId,
          replies.map((reply) => ({
            holder: reply.attestation.holder,
            expiry: BigInt(reply.attestation.expiry),
            r: reply.attestation.r as Hex,
            vs: reply.attestation.vs as Hex,
          })),
        ],
      },
      signal ? { signal } : {},
    );
    onProgress?.({ stage: "done", bytes: total, total });
    return {
      blobId,
      cid: prepared.cid,
      size: prepared.size,
      commitment: prepared.commitment,
      nodes: chosen.map(({ nodeId, endpoint }) => ({ nodeId, endpoint })),
      cost,
      fee,
      transactions: { ...(approve ? { approve } : {}), register: registered.hash, certify: certified.hash },
    };
  } finally {
    await prepared.dispose();
  }
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
  const replicas = options.replicas ?? 3;
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
    else failures.push({ ...node, error: describe(result.reason) });
  });
  options.signal?.throwIfAborted();
  return { replies, failures };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = (error as Error).message ?? String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}
