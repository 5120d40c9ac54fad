import { randomBytes } from "node:crypto";
import * as dagCbor from "@ipld/dag-cbor";
import { varint } from "multiformats";
import type { CID } from "multiformats/cid";
import { type Hex, maxUint256, parseEventLogs, toHex } from "viem";
import {
  attestationArg,
  BlobStatus,
  type Block,
  type ColdLayout,
  CommitmentBuilder,
  cidOfStream,
  coldCommitmentOfStream,
  coldLayoutForFaults,
  concat,
  storageMarketAbi,
  Tier,
} from "#protocol";
import { sendShards } from "../../api/node/index.ts";
import { certifyShards, type SignedAttestation } from "../chain/attestor.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import { MigrationFailedError } from "../errors.ts";

/** A pack's identity as the market registers it: size, blob CID, commitment. */
export interface PackInfo {
  size: number;
  cid: string;
  cidBytes: Hex;
  commitment: Hex;
}

/** A pack's bytes, produced again on each call (each holder's upload reads its own pass). */
export type PackSource = () => AsyncIterable<Uint8Array>;

const PIECE = 1 << 20;

/**
 * The bytes of a CARv1 rooted at `root` holding `blocks` in their order (the header and framing
 * `@ipld/car` writes and reads), gathered into pieces of about a MiB so the hashing and the
 * uploads see few large chunks.
 */
export async function* carBytes(
  root: CID,
  blocks: AsyncIterable<Block>,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let size = 0;
  const push = (bytes: Uint8Array) => {
    pending.push(bytes);
    size += bytes.length;
  };
  const header = dagCbor.encode({ version: 1, roots: [root] });
  const headerLength = new Uint8Array(varint.encodingLength(header.length));
  varint.encodeTo(header.length, headerLength);
  push(headerLength);
  push(header);
  for await (const block of blocks) {
    signal?.throwIfAborted();
    const length = block.cid.bytes.length + block.bytes.length;
    const prefix = new Uint8Array(varint.encodingLength(length));
    varint.encodeTo(length, prefix);
    push(prefix);
    push(block.cid.bytes);
    if (block.bytes.length >= PIECE / 4) {
      // a file chunk goes out as it is, not copied
      yield concat(pending);
      yield block.bytes;
      pending = [];
      size = 0;
      continue;
    }
    push(block.bytes);
    if (size >= PIECE) {
      yield concat(pending);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield concat(pending);
}

/**
 * One pass over a pack: its size, the blob CID (UnixFS, as every party computes it) and the
 * commitment. Nothing is written: the upload produces the bytes again.
 */
export async function measurePack(
  source: PackSource,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<PackInfo> {
  const builder = new CommitmentBuilder();
  const tee = async function* () {
    for await (const chunk of source()) {
      builder.update(chunk);
      options.onBytes?.(chunk.length);
      yield chunk;
    }
  };
  const cid = await cidOfStream(tee(), options.signal ? { signal: options.signal } : {});
  return {
    size: builder.size,
    cid: cid.toString(),
    cidBytes: toHex(cid.bytes),
    commitment: toHex(builder.digest()),
  };
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

/** A cold pack's layout and shard commitments (what its registration and its holders need). */
export interface ColdPack {
  layout: ColdLayout;
  shardRoots: Hex[];
  commitment: Hex;
}

/**
 * The cold plan of a pack on `holders` nodes: tolerating a third of them lost (one at least, as
 * the SDK's cold uploads), the shard commitments from one encoding pass.
 */
export async function planColdPack(
  source: PackSource,
  size: number,
  holders: number,
  signal?: AbortSignal,
): Promise<ColdPack> {
  const layout = coldLayoutForFaults(size, holders, Math.max(1, Math.floor((holders - 1) / 3)));
  const { shardRoots, commitment } = await coldCommitmentOfStream(source(), layout, signal);
  return { layout, shardRoots: shardRoots.map((root) => toHex(root)), commitment: toHex(commitment) };
}

/**
 * Registers `pack` as a blob paid by this node's signing key, for `epochs`, on `holders`: hot, or
 * cold with `cold`'s layout. Approves the market once for all. Returns the blob id (certify it
 * with `sendPack`).
 */
export async function registerPack(
  chain: ChainClient,
  pack: PackInfo,
  holders: number[],
  epochs: number,
  options: { signal?: AbortSignal; cold?: ColdPack } = {},
): Promise<Hex> {
  const { signal, cold } = options;
  const market = chain.deployment.contracts.market;
  const tier = cold ? Tier.cold : Tier.hot;
  const billed = cold ? cold.layout.shardSize : pack.size;
  const [cost, fee] = await chain.read(() =>
    chain.market.read.quote([holders, tier, BigInt(billed), epochs]),
  );
  const allowance = await chain.read(() => chain.token.read.allowance([chain.account.address, market]));
  if (allowance < cost + fee) {
    await chain.send("approve", () => chain.token.write.approve([market, maxUint256]), { signal });
  }
  const params = {
    salt: toHex(randomBytes(32)),
    cid: pack.cidBytes,
    commitment: cold ? cold.commitment : pack.commitment,
    size: BigInt(pack.size),
    tier,
    nodes: holders,
    epochs,
    shardSize: cold ? BigInt(cold.layout.shardSize) : 0n,
    recovery: cold ? cold.layout.recovery : 0,
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
 * Streams the pack to every holder (each from its own pass; a cold pack's shards from one encoding
 * pass) and certifies it with their attestations; the certify is sent only if `signal` was not
 * aborted by then (a cancelled snapshot leaves nothing certified).
 * A blob certified already (a resumed job) is left as it is.
 */
export async function sendPack(
  chain: ChainClient,
  peers: Pick<PeerEndpoints, "client">,
  source: PackSource,
  blobId: Hex,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void; cold?: ColdPack } = {},
): Promise<void> {
  const info = await chain.read(() => chain.market.read.getBlob([blobId]));
  if (info.status === BlobStatus.certified) return;
  const holders = info.holders.map((holder) => Number(holder.nodeId));
  if (options.cold) {
    // each holder gets its shard of one encoding pass; k of n attestations certify
    const clients = await Promise.all(holders.map((nodeId) => peers.client(nodeId)));
    const { replies, failures } = await sendShards(
      source,
      options.cold.layout,
      blobId,
      options.cold.shardRoots,
      clients,
      {
        signal: options.signal,
        ...(options.onBytes ? { onBytes: options.onBytes } : {}),
      },
    );
    options.signal?.throwIfAborted();
    if (replies.length < info.quorum) {
      const reasons = failures.map((f) => `node ${f.nodeId}: ${(f.error as Error).message}`);
      throw new MigrationFailedError(
        `only ${replies.length} of ${info.quorum} holders took their shard: ${reasons.join("; ")}`,
      );
    }
    await certifyShards(
      chain,
      blobId,
      replies.map((reply) => reply.attestation as SignedAttestation),
      options.cold.shardRoots,
      options.signal ? { signal: options.signal } : {},
    );
    return;
  }
  const results = await Promise.allSettled(
    holders.map(async (nodeId) => {
      const client = await peers.client(nodeId);
      return client.putStore(blobId, source(), {
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
  options.signal?.throwIfAborted();
  const attestations = replies.map((reply) => attestationArg(reply.attestation));
  await chain.send("certify", async () => {
    const gas = await chain.gasFor((o) => chain.market.estimateGas.certify([blobId, attestations], o));
    return chain.market.write.certify([blobId, attestations], { gas });
  });
}
