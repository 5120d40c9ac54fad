import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import { type Hex, toHex } from "viem";
import {
  BlobStatus,
  type Block,
  decodeManifest,
  manifestBlock,
  snapshotBlocks,
  type VaultManifest,
} from "#protocol";
import type { ChainClient } from "../chain/chain-client.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import { NotFoundError } from "../errors.ts";
import { type PackFile, packHolders, registerPack, sendPack, writePackFile } from "./pack-upload.ts";
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
  options: { replicas?: number } = {},
): Promise<SnapshotResult> {
  const { vaults, chain } = deps;
  const { job, signal } = context;
  const vault = await vaults.vault(job.vaultId);
  return vault.reading(async () => {
    type Saved = { pack?: PackFile; blobId?: Hex; sequence?: number; manifest?: string; newBytes?: number };
    let saved = job.checkpoint as Saved;
    const resumable = saved.pack && saved.blobId && (await stat(saved.pack.path).catch(() => undefined));
    if (!resumable) {
      await context.enter("building");
      const { manifest, block } = await nextManifest(vaults, vault);
      await context.enter("packing");
      const { pack, newBytes } = await writePack(vaults, vault, job.id, manifest, block, context);
      signal.throwIfAborted();
      const holders = await packHolders(chain, deps.peers, options.replicas ?? 2, signal);
      const epochs = await packEpochs(vaults, job.vaultId);
      const blobId = await registerPack(chain, pack, holders, epochs, signal);
      saved = { pack, blobId, sequence: manifest.sequence, manifest: block.cid.toString(), newBytes };
      context.save(saved);
    }
    const { pack, blobId, sequence, manifest, newBytes } = saved as Required<Saved>;
    await context.enter("uploading", pack.size * (await holderCount(chain, blobId)));
    await sendPack(chain, deps.peers, pack, blobId, {
      signal,
      onBytes: (bytes) => context.progress(bytes),
      beforeCertify: () => undefined,
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
    vault.store.recordSnapshot(sequence, manifest, [blobId], await blocksOf(vault, manifest));
    await rm(pack.path, { force: true });
    vaults.logger.info(
      { vault_id: job.vaultId, sequence, manifest, blob: blobId, new_bytes: newBytes },
      "snapshot committed",
    );
    return { sequence, manifest, blobs, blob: blobId, newBytes, packBytes: pack.size };
  });
}

/** The CIDs of a committed manifest and every block it reaches. */
async function blocksOf(vault: OpenVault, manifest: string): Promise<CID[]> {
  const root = CID.parse(manifest);
  const out: CID[] = [root];
  const decoded = decodeManifest(vault.store.block(root) ?? new Uint8Array());
  for await (const block of snapshotBlocks(decoded, (cid) => loadFrom(vault, cid))) out.push(block.cid);
  return out;
}

async function loadFrom(vault: OpenVault, cid: CID): Promise<Uint8Array> {
  const bytes = vault.store.block(cid);
  if (!bytes) throw new NotFoundError(`block ${cid} of vault ${vault.vaultId}`);
  return bytes;
}

/** Writes the pack of a snapshot: the manifest first, then each block the vault has not shipped. */
async function writePack(
  vaults: Vaults,
  vault: OpenVault,
  jobId: string,
  manifest: VaultManifest,
  root: Block,
  context: JobContext,
): Promise<{ pack: PackFile; newBytes: number }> {
  let newBytes = 0;
  const fresh: { cid: CID; kind: "chunk" | "block"; bytes?: Uint8Array }[] = [];
  for await (const block of snapshotBlocks(manifest, (cid) => loadFrom(vault, cid))) {
    if (vault.store.isShipped(block.cid)) continue;
    fresh.push(block);
  }
  let total = 0;
  for (const file of manifest.files) total += file.size;
  context.progress(0, total);
  const blocks = async function* (): AsyncGenerator<Block> {
    yield root;
    for (const block of fresh) {
      const bytes =
        block.kind === "chunk"
          ? await readFile(vault.store.chunkPath(block.cid))
          : (block.bytes as Uint8Array);
      newBytes += bytes.length;
      yield { cid: block.cid, bytes };
    }
  };
  // the manifest is a block of the vault too: a later snapshot finds its parent, a restore its root
  vault.store.putBlocks([root]);
  const pack = await writePackFile(join(vaults.dir, `pack-${jobId}.car`), root.cid, blocks(), {
    signal: context.signal,
    onBytes: (bytes) => context.progress(bytes),
  });
  return { pack, newBytes };
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
