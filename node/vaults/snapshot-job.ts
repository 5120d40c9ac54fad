import { readFile } from "node:fs/promises";
import { CID } from "multiformats/cid";
import { type Hex, toHex } from "viem";
import {
  BlobStatus,
  type Block,
  blockKey,
  decodeManifest,
  manifestBlock,
  type SnapshotBlock,
  snapshotBlocks,
  VAULT_CHUNK_SIZE,
  type VaultManifest,
} from "#protocol";
import type { ChainClient } from "../chain/chain-client.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import { NotFoundError } from "../errors.ts";
import {
  type ColdPack,
  carBytes,
  measurePack,
  type PackInfo,
  type PackSource,
  packHolders,
  planColdPack,
  registerPack,
  sendPack,
} from "./pack-upload.ts";
import type { JobContext } from "./vault-jobs.ts";
import type { OpenVault, Vaults } from "./vaults.ts";

export interface SnapshotDeps {
  vaults: Vaults;
  chain: ChainClient;
  peers: Pick<PeerEndpoints, "client">;
}

export interface SnapshotResult extends Record<string, unknown> {
  sequence: number;
  manifest: string;
  /** The blobs of this snapshot and every ancestor: what a restore fetches. */
  blobs: string[];
  /** The blob this snapshot added. */
  blob: string;
  /** Bytes of blocks the parent did not have (what this snapshot shipped, the manifest aside). */
  newBytes: number;
  packBytes: number;
}

/**
 * The manifest the vault's next snapshot would commit: the journal of collection writes is built
 * first, then files and collection roots are read in one go. Runs in the vault's write queue.
 */
export async function nextManifest(
  vaults: Vaults,
  vault: OpenVault,
): Promise<{ manifest: VaultManifest; block: Block }> {
  return vault.exclusive(async () => {
    const collections = await vault.collections.build();
    const chain = await vaults.chainVault(vault.vaultId, { fresh: true });
    const last = vault.store.lastSnapshot();
    const sequence = Math.max(chain.sequence, last?.sequence ?? 0) + 1;
    const manifest: VaultManifest = {
      v: 1,
      sequence,
      parent: last ? CID.parse(last.manifest) : null,
      files: vault.store.files().map(({ path, size, type, chunks }) => ({ path, size, type, chunks })),
      collections,
    };
    return { manifest, block: await manifestBlock(manifest) };
  });
}

/**
 * Takes a snapshot: the manifest, a pack (a CAR) of the manifest and every block the earlier
 * snapshots did not ship, registered as a hot blob paid by this node, sent to its holders and
 * certified, then committed on chain with `commitSnapshot`. States: building, packing,
 * uploading, certifying, committing. A job resumed after a crash with its pack registered sends
 * it again (or finds it certified) and goes on; otherwise it starts over. Cancelled before
 * certifying, nothing is certified or committed.
 */
export async function takeSnapshot(
  deps: SnapshotDeps,
  context: JobContext,
  options: { replicas?: number; tier?: "hot" | "cold" } = {},
): Promise<SnapshotResult> {
  const { vaults, chain } = deps;
  const { job, signal } = context;
  const vault = await vaults.vault(job.vaultId);
  return vault.reading(async () => {
    type Saved = {
      pack?: PackInfo;
      cold?: ColdPack;
      blobId?: Hex;
      sequence?: number;
      manifest?: string;
      newBytes?: number;
    };
    let saved = job.checkpoint as Saved;
    let plan: PackPlan | undefined;
    if (saved.pack && saved.blobId && saved.manifest) {
      // the pack is the manifest's blocks the vault had not shipped: the same bytes again, unless
      // a file was deleted since (then it starts over)
      plan = await planPack(vault, CID.parse(saved.manifest)).catch(() => undefined);
      const again = plan && (await measurePack(packSource(vault, plan, signal), { signal }));
      if (again?.cid !== saved.pack.cid) plan = undefined;
    }
    if (!plan) {
      await context.enter("building");
      const { block } = await nextManifest(vaults, vault);
      // the manifest is a block of the vault too: a later snapshot finds its parent, a resume its pack
      vault.store.putBlocks([block]);
      await context.enter("packing");
      plan = await planPack(vault, block.cid);
      context.progress(0, plan.bytes);
      const pack = await measurePack(packSource(vault, plan, signal), {
        signal,
        onBytes: (n) => context.progress(n),
      });
      const coldTier = options.tier === "cold";
      // a cold pack's shards go to three nodes at least (any two give it back)
      const replicas = coldTier ? Math.max(3, options.replicas ?? 3) : (options.replicas ?? 2);
      const holders = await packHolders(chain, deps.peers, replicas, signal);
      const planned = coldTier
        ? await planColdPack(packSource(vault, plan, signal), pack.size, holders.length, signal)
        : undefined;
      const epochs = await packEpochs(vaults, job.vaultId);
      const blobId = await registerPack(chain, pack, holders, epochs, {
        signal,
        ...(planned ? { cold: planned } : {}),
      });
      saved = {
        pack,
        ...(planned ? { cold: planned } : {}),
        blobId,
        sequence: plan.sequence,
        manifest: block.cid.toString(),
        newBytes: plan.newBytes,
      };
      context.save(saved);
    }
    const { pack, blobId, sequence, manifest, newBytes } = saved as Required<Saved>;
    const { cold } = saved;
    const perHolder = cold ? cold.layout.shardSize : pack.size;
    await context.enter("uploading", perHolder * (await holderCount(chain, blobId)));
    await sendPack(chain, deps.peers, packSource(vault, plan, signal), blobId, {
      signal,
      onBytes: (bytes) => context.progress(bytes),
      ...(cold ? { cold } : {}),
    });
    await context.enter("certifying");
    const status = (await chain.read(() => chain.market.read.getBlob([blobId]))).status;
    if (status !== BlobStatus.certified) throw new NotFoundError(`the certification of pack ${blobId}`);
    await context.enter("committing");
    const blobs = [...vault.store.snapshotBlobs(), blobId];
    const onChain = await vaults.chainVault(job.vaultId, { fresh: true });
    if (onChain.sequence < sequence) {
      const manifestBytes = toHex(CID.parse(manifest).bytes);
      await chain.send("commitSnapshot", async () => {
        const args = [BigInt(job.vaultId), BigInt(sequence), manifestBytes, [blobId]] as const;
        const gas = await chain.gasFor((o) => chain.vaults.estimateGas.commitSnapshot(args, o));
        return chain.vaults.write.commitSnapshot(args, { gas });
      });
    }
    // every block the manifest reaches is in the network now: in this pack or an ancestor's
    vault.store.recordSnapshot(
      sequence,
      manifest,
      [blobId],
      [plan.root.cid, ...plan.fresh.map((block) => block.cid)],
    );
    vaults.logger.info(
      { vault_id: job.vaultId, sequence, manifest, blob: blobId, new_bytes: newBytes },
      "snapshot committed",
    );
    return { sequence, manifest, blobs, blob: blobId, newBytes, packBytes: pack.size };
  });
}

/** What a snapshot's pack holds: the manifest first, then each block the vault has not shipped. */
interface PackPlan {
  root: Block;
  sequence: number;
  fresh: SnapshotBlock[];
  /** Bytes of the fresh blocks (the pack's payload, the manifest aside). */
  newBytes: number;
  /** The pack's size, about (CAR framing aside). */
  bytes: number;
}

async function planPack(vault: OpenVault, manifestCid: CID): Promise<PackPlan> {
  const bytes = await loadFrom(vault, manifestCid);
  const manifest = decodeManifest(bytes);
  const fresh: SnapshotBlock[] = [];
  let newBytes = 0;
  const sizes = new Map(
    manifest.files.flatMap((file) =>
      file.chunks.map(
        (cid, i) => [cid.toString(), Math.min(VAULT_CHUNK_SIZE, file.size - i * VAULT_CHUNK_SIZE)] as const,
      ),
    ),
  );
  const shipped = vault.store.shippedKeys();
  const skip = (cid: CID) => shipped.has(blockKey(cid));
  const cached = vault.store.blockLoader();
  const load = async (cid: CID) => cached(cid) ?? loadFrom(vault, cid);
  for await (const block of snapshotBlocks(manifest, load, { skip })) {
    fresh.push(block);
    newBytes += block.kind === "chunk" ? (sizes.get(block.cid.toString()) ?? 0) : block.bytes.length;
  }
  return {
    root: { cid: manifestCid, bytes },
    sequence: manifest.sequence,
    fresh,
    newBytes,
    bytes: newBytes + bytes.length,
  };
}

/**
 * The pack's bytes: a CAR of the manifest and the fresh blocks, file chunks read from disk a few
 * ahead of the one going out (the disk and the socket work at once).
 */
function packSource(vault: OpenVault, plan: PackPlan, signal?: AbortSignal): PackSource {
  return () => {
    const blocks = async function* (): AsyncGenerator<Block> {
      yield plan.root;
      const ahead: Promise<Uint8Array>[] = [];
      let next = 0;
      const read = () => {
        while (ahead.length < READ_AHEAD && next < plan.fresh.length) {
          const block = plan.fresh[next++] as SnapshotBlock;
          ahead.push(
            block.kind === "chunk"
              ? readFile(vault.store.chunkPath(block.cid))
              : Promise.resolve(block.bytes),
          );
        }
      };
      read();
      for (let index = 0; index < plan.fresh.length; index += 1) {
        const bytes = await (ahead.shift() as Promise<Uint8Array>);
        read();
        yield { cid: (plan.fresh[index] as SnapshotBlock).cid, bytes };
      }
    };
    return carBytes(plan.root.cid, blocks(), signal);
  };
}

/** File chunks read ahead of the pack's stream. */
const READ_AHEAD = 4;

async function loadFrom(vault: OpenVault, cid: CID): Promise<Uint8Array> {
  const bytes = vault.store.block(cid);
  if (!bytes) throw new NotFoundError(`block ${cid} of vault ${vault.vaultId}`);
  return bytes;
}

async function holderCount(chain: ChainClient, blobId: Hex): Promise<number> {
  const info = await chain.read(() => chain.market.read.getBlob([blobId]));
  return info.holders.length;
}

/** Epochs a pack is paid for: as long as the vault's escrow pays its home, one at least. */
async function packEpochs(vaults: Vaults, vaultId: number): Promise<number> {
  const chain = vaults.chain;
  const epochSeconds = Number(await chain.read(() => chain.vaults.read.epochSeconds()));
  const { paidThrough } = await vaults.chainVault(vaultId);
  return Math.max(1, Math.ceil((paidThrough - Date.now() / 1000) / epochSeconds));
}
