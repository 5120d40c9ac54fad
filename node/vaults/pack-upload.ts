import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { CarWriter } from "@ipld/car/writer";
import type { CID } from "multiformats/cid";
import { type Hex, maxUint256, parseEventLogs, toHex } from "viem";
import {
  attestationArg,
  BlobStatus,
  type Block,
  CommitmentBuilder,
  cidOfStream,
  storageMarketAbi,
  Tier,
} from "#protocol";
import type { ChainClient } from "../chain/chain-client.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import { MigrationFailedError } from "../errors.ts";

/** A pack written to disk: its size, the blob CID and commitment the market registers. */
export interface PackFile {
  path: string;
  size: number;
  cid: string;
  cidBytes: Hex;
  commitment: Hex;
}

/**
 * Writes `blocks` as a CAR rooted at `root` to `path` (fsynced), computing the blob CID (UnixFS,
 * as every party computes it) and the commitment in the same pass.
 */
export async function writePackFile(
  path: string,
  root: CID,
  blocks: AsyncIterable<Block>,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<PackFile> {
  const { writer, out } = CarWriter.create([root]);
  const feeding = (async () => {
    try {
      for await (const block of blocks) {
        options.signal?.throwIfAborted();
        await writer.put(block);
      }
    } finally {
      await writer.close();
    }
  })();
  const handle = await open(path, "w");
  const builder = new CommitmentBuilder();
  try {
    const tee = async function* () {
      for await (const chunk of out) {
        builder.update(chunk);
        await handle.write(chunk);
        options.onBytes?.(chunk.length);
        yield chunk;
      }
    };
    const cid = await cidOfStream(tee(), options.signal ? { signal: options.signal } : {});
    await feeding;
    await handle.sync();
    return {
      path,
      size: builder.size,
      cid: cid.toString(),
      cidBytes: toHex(cid.bytes),
      commitment: toHex(builder.digest()),
    };
  } finally {
    await handle.close();
    await feeding.catch(() => undefined);
  }
}

/**
 * Nodes to hold a pack: active on chain and answering their health check, others first (a
 * snapshot must outlive its home), this node only when too few others answer.
 */
export async function packHolders(
  chain: ChainClient,
  peers: Pick<PeerEndpoints, "client">,
  replicas: number,
  signal?: AbortSignal,
): Promise<number[]> {
  const count = Number(await chain.read(() => chain.registry.read.nodeCount()));
  const others: number[] = [];
  for (let nodeId = 1; nodeId <= count && others.length < replicas; nodeId += 1) {
    signal?.throwIfAborted();
    if (nodeId === chain.nodeId) continue;
    if (!(await chain.read(() => chain.registry.read.isActive([nodeId])))) continue;
    const healthy = await (await peers.client(nodeId))
      .getHealth({ signal: AbortSignal.any([AbortSignal.timeout(3_000), ...(signal ? [signal] : [])]) })
      .then(
        () => true,
        () => false,
      );
    if (healthy) others.push(nodeId);
  }
  return [...others, ...(others.length < replicas ? [chain.nodeId] : [])].sort((a, b) => a - b);
}

/**
 * Registers `pack` as a hot blob paid by this node's signing key, for `epochs`, on `holders`.
 * Approves the market once for all. Returns the blob id (certify it with `sendPack`).
 */
export async function registerPack(
  chain: ChainClient,
  pack: PackFile,
  holders: number[],
  epochs: number,
  signal?: AbortSignal,
): Promise<Hex> {
  const market = chain.deployment.contracts.market;
  const [cost, fee] = await chain.read(() =>
    chain.market.read.quote([holders, Tier.hot, BigInt(pack.size), epochs]),
  );
  const allowance = await chain.read(() => chain.token.read.allowance([chain.account.address, market]));
  if (allowance < cost + fee) {
    await chain.send("approve", () => chain.token.write.approve([market, maxUint256]), { signal });
  }
  const params = {
    salt: toHex(randomBytes(32)),
    cid: pack.cidBytes,
    commitment: pack.commitment,
    size: BigInt(pack.size),
    tier: Tier.hot,
    nodes: holders,
    epochs,
    shardSize: 0n,
    recovery: 0,
    name: "strata-vault-pack",
    mimeType: "application/vnd.ipld.car",
    tags: ["strata-vault"],
  };
  const receipt = await chain.send(
    "registerBlob",
    async () => {
      const gas = await chain.gasFor((o) => chain.market.estimateGas.registerBlob([params], o));
      return chain.market.write.registerBlob([params], { gas });
    },
    { signal },
  );
  const [event] = parseEventLogs({ abi: storageMarketAbi, logs: receipt.logs, eventName: "BlobRegistered" });
  if (!event) throw new MigrationFailedError("registerBlob left no BlobRegistered event");
  return event.args.blobId;
}

/**
 * Streams the pack to every holder and certifies it with their attestations; the certify is
 * sent only if `signal` was not aborted by then (a cancelled snapshot leaves nothing certified).
 * A blob certified already (a resumed job) is left as it is.
 */
export async function sendPack(
  chain: ChainClient,
  peers: Pick<PeerEndpoints, "client">,
  pack: PackFile,
  blobId: Hex,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void; beforeCertify?: () => void } = {},
): Promise<void> {
  const info = await chain.read(() => chain.market.read.getBlob([blobId]));
  if (info.status === BlobStatus.certified) return;
  const holders = info.holders.map((holder) => Number(holder.nodeId));
  const results = await Promise.allSettled(
    holders.map(async (nodeId) => {
      const client = await peers.client(nodeId);
      return client.putStore(blobId, createReadStream(pack.path, { highWaterMark: 1 << 20 }), {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onBytes ? { onBytes: options.onBytes } : {}),
      });
    }),
  );
  options.signal?.throwIfAborted();
  const replies = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  if (replies.length < info.quorum) {
    const reasons = results.flatMap((result, index) =>
      result.status === "rejected" ? [`node ${holders[index]}: ${(result.reason as Error).message}`] : [],
    );
    throw new MigrationFailedError(
      `only ${replies.length} of ${info.quorum} holders took the pack: ${reasons.join("; ")}`,
    );
  }
  options.beforeCertify?.();
  options.signal?.throwIfAborted();
  const attestations = replies.map((reply) => attestationArg(reply.attestation));
  await chain.send("certify", async () => {
    const gas = await chain.gasFor((o) => chain.market.estimateGas.certify([blobId, attestations], o));
    return chain.market.write.certify([blobId, attestations], { gas });
  });
}
