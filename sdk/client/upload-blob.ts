import { type Address, parseEventLogs, toHex } from "viem";
import {
  attestationArg,
  storageMarketAbi,
  strataTokenAbi,
  Tier,
  type TierName,
} from "../../protocol/index.ts";
import { InsufficientFundsError, InvalidArgumentError, UploadError } from "../errors.ts";
import { sharedAllowances } from "./allowance-ledger.ts";
import { chooseNodes } from "./choose-nodes.ts";
import { type SigningContext, sendOptionsOf } from "./client-context.ts";
import { coldParams, coldSummary, migrateThrough, planCold } from "./cold-plan.ts";
import { readCall, type SendOptions, sendCall } from "./contract-calls.ts";
import { prepareSource } from "./prepare-source.ts";
import { sendReplicas } from "./send-replicas.ts";
import { sendShards } from "./send-shards.ts";
import type { PreparedSource, UploadOptions, UploadResult, UploadSource } from "./upload-types.ts";

/**
 * The whole upload: CID and commitment computed locally in one streaming pass, nodes picked
 * through the indexer, the price quoted, approved and paid into escrow by `registerBlob`, the
 * bytes streamed to every node in parallel, their attestations collected and submitted by
 * `certify`. If fewer nodes than the quorum attest, nothing is certified and an UploadError says
 * which failed and why; the escrow comes back with `reclaim` after the deadline.
 */
export async function uploadBlob(
  ctx: SigningContext,
  source: UploadSource,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const { publicClient, signer, deployment, indexer } = ctx;
  const { signal, onProgress } = options;
  const sendOptions = sendOptionsOf(ctx, signal);
  const tier = options.tier ?? "hot";
  if (tier !== "hot" && tier !== "cold") throw new InvalidArgumentError(`unknown tier ${String(tier)}`);
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new InvalidArgumentError("epochs must be a positive integer");

  let hashed = 0;
  let size = 0;
  const prepared = await prepareSource(source, {
    ...(signal ? { signal } : {}),
    onSize: (bytes) => {
      size = bytes;
    },
    onBytes: (bytes) => {
      hashed += bytes;
      onProgress?.({ stage: "hashing", bytes: hashed, total: size });
    },
  });
  try {
    // holder i of the registration is the i-th node in ascending id order (cold: it keeps shard i)
    const chosen = (
      await chooseNodes(
        { publicClient, indexer, registry: deployment.contracts.registry },
        {
          size: prepared.size,
          tier,
          replicas: replicasOf(tier, options),
          ...(options.nodes ? { named: options.nodes } : {}),
        },
        signal,
      )
    ).sort((a, b) => a.nodeId - b.nodeId);
    const nodeIds = chosen.map((node) => node.nodeId);
    const cold = tier === "cold" ? await planCold(prepared, nodeIds.length, options, signal) : undefined;
    const owner = await signer.address();
    const market = deployment.contracts.market;
    const [cost, fee] = await readCall(publicClient, {
      address: market,
      abi: storageMarketAbi,
      functionName: "quote",
      args: [nodeIds, Tier[tier], BigInt(cold ? cold.layout.shardSize : prepared.size), epochs],
    });
    onProgress?.({ stage: "paying", bytes: 0, total: 0 });
    const { approve, result: registered } = await withAllowance(ctx, owner, cost + fee, sendOptions, () => {
      onProgress?.({ stage: "registering", bytes: 0, total: 0 });
      return sendCall(
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
        sendOptions,
      );
    });
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
    const perNode = cold ? cold.layout.shardSize : prepared.size;
    const total = perNode * chosen.length;
    let sent = 0;
    const sentTo = new Map<number, number>();
    const sending = {
      ...(signal ? { signal } : {}),
      onBytes: (bytes: number, nodeId: number) => {
        sent += bytes;
        sentTo.set(nodeId, (sentTo.get(nodeId) ?? 0) + bytes);
        const node = { nodeId, bytes: sentTo.get(nodeId) ?? 0, total: perNode };
        onProgress?.({ stage: "uploading", bytes: sent, total, node });
      },
    };
    const { replies, failures } = cold
      ? await sendShards(() => prepared.open(), cold.layout, blobId, cold.shardRoots, chosen, sending)
      : await sendReplicas(prepared, blobId, chosen, sending);
    const info = await readCall(publicClient, {
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
    const attestations = replies.map((reply) => attestationArg(reply.attestation));
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
      sendOptions,
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

/** The `registerBlob` arguments of a hot blob: a fresh salt, the prepared CID and commitment. */
export function hotBlobParams(
  prepared: Pick<PreparedSource, "cidBytes" | "commitment" | "size">,
  nodes: number[],
  epochs: number,
  meta: { name?: string; mimeType?: string; tags?: string[] } = {},
) {
  return {
    salt: toHex(crypto.getRandomValues(new Uint8Array(32))),
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

/** How many nodes to pick: `replicas`, or by default 3 for hot and 5 for cold. */
function replicasOf(tier: TierName, options: UploadOptions): number {
  const replicas = options.replicas ?? (tier === "cold" ? 5 : 3);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
    throw new InvalidArgumentError("replicas must be an integer from 1 to 16");
  }
  return replicas;
}

/**
 * Checks the balance, then has the market approved for `amount` on top of the account's other
 * uploads in flight (an approval sets the allowance, so parallel uploads share one) and runs
 * `register`, which spends it.
 */
async function withAllowance<T>(
  ctx: SigningContext,
  owner: Address,
  amount: bigint,
  options: SendOptions,
  register: () => Promise<T>,
) {
  const { publicClient, deployment, signer } = ctx;
  const token = deployment.contracts.token;
  const balance = await readCall(publicClient, {
    address: token,
    abi: strataTokenAbi,
    functionName: "balanceOf",
    args: [owner],
  });
  if (balance < amount) throw new InsufficientFundsError(amount, balance);
  return (ctx.allowances ?? sharedAllowances).spending(
    publicClient,
    signer,
    { token, owner, spender: deployment.contracts.market, amount },
    register,
    options,
  );
}
