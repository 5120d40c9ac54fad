import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { type Hex, keccak256, toHex } from "viem";
import {
  decodeManifest,
  manifestFileBytes,
  readPackStream,
  restoredTypedData,
  snapshotBlocks,
  type VaultManifest,
  verifyBlock,
} from "#protocol";
import type { VaultRestoreBody } from "../../api/vaults/index.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import type { Registrations } from "../chain/registrations.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import {
  BlockCorruptError,
  InvalidIdError,
  NotFoundError,
  SnapshotNotCommittedError,
  VaultQuotaError,
} from "../errors.ts";
import type { ByteBudget } from "../storage/byte-budget.ts";
import type { JobContext } from "./vault-jobs.ts";
import { VaultStore } from "./vault-store.ts";
import type { Vaults } from "./vaults.ts";

export interface RestoreDeps {
  vaults: Vaults;
  chain: ChainClient;
  peers: Pick<PeerEndpoints, "client">;
  registrations: Pick<Registrations, "get">;
  /** The node's StorageMax: a restore that would not fit is refused before it starts. */
  budget: Pick<ByteBudget, "checkRoom">;
}

/** A pack blob as a restore reads it: its id, CID, size and holders. */
interface PackBlob {
  blobId: Hex;
  cid: string;
  size: number;
  holders: number[];
}

/** A blob's CID and holders, once the chain says it is certified. */
async function certifiedBlob(deps: RestoreDeps, blobId: Hex): Promise<PackBlob> {
  const blob = await deps.registrations.get(blobId);
  if (blob?.status !== "certified") throw new NotFoundError(`certified blob ${blobId}`);
  return { blobId, cid: blob.cid, size: blob.size, holders: blob.holders.map((holder) => holder.nodeId) };
}

/** The blocks of a pack blob as its holders serve it (the first that answers), each checked against its CID. */
async function* packBlocks(
  deps: RestoreDeps,
  blob: PackBlob,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void },
): AsyncGenerator<{ cid: CID; bytes: Uint8Array }> {
  let lastError: unknown;
  for (const nodeId of blob.holders) {
    let body: AsyncIterable<Uint8Array>;
    try {
      body = (await (await deps.peers.client(nodeId)).getFile(blob.cid, options)).body;
    } catch (error) {
      options.signal?.throwIfAborted();
      lastError = error;
      continue;
    }
    const counted = async function* () {
      for await (const chunk of body) {
        options.onBytes?.(chunk.length);
        yield chunk;
      }
    };
    for await (const { cid, bytes } of readPackStream(counted())) {
      await verifyBlock(cid, bytes).catch(() => {
        throw new BlockCorruptError(cid.toString(), "does not match its CID: the snapshot is damaged");
      });
      yield { cid, bytes };
    }
    return;
  }
  throw new NotFoundError(
    `pack ${blob.blobId} on any of its holders (${(lastError as Error)?.message ?? "none"})`,
  );
}

/**
 * What a restore checks before it writes anything: the chain's latest committed snapshot is the
 * one asked for, and the manifest (the first block of its pack) fits the vault's quota and this
 * node's free storage (507 otherwise).
 */
export async function checkRestore(
  deps: RestoreDeps,
  vaultId: number,
  body: VaultRestoreBody,
): Promise<VaultManifest> {
  const chain = await deps.vaults.chainVault(vaultId, { fresh: true });
  const manifestCid = parseManifestCid(body.manifest);
  if (chain.sequence !== body.sequence || keccak256(manifestCid.bytes) !== chain.manifestHash) {
    throw new SnapshotNotCommittedError(
      `vault ${vaultId}'s committed snapshot is ${chain.sequence}, not ${body.sequence} with manifest ${body.manifest}`,
    );
  }
  const last = body.blobs.at(-1) as Hex | undefined;
  if (!last) throw new NotFoundError("the snapshot's blobs");
  const controller = new AbortController();
  try {
    for await (const block of packBlocks(deps, await certifiedBlob(deps, last), {
      signal: controller.signal,
    })) {
      if (!block.cid.equals(manifestCid))
        throw new BlockCorruptError(body.manifest, "is not the first block of the snapshot's pack");
      const manifest = decodeManifest(block.bytes);
      const bytes = manifestFileBytes(manifest);
      if (bytes > chain.quota) throw new VaultQuotaError(bytes, chain.quota);
      deps.budget.checkRoom(bytes);
      return manifest;
    }
  } finally {
    controller.abort();
  }
  throw new NotFoundError(`the manifest ${body.manifest}`);
}

/**
 * Restores a committed snapshot into a new copy beside the vault's: every pack fetched from its
 * holders and every block checked against its CID (fetching), every block the manifest reaches
 * present (applying), then swapped in with two renames, a crash between them finished at the next
 * start; the node then signs that it restored exactly this snapshot (signing), the signature
 * `moveHome` wants. Nothing of the live copy changes until the swap.
 */
export async function restoreSnapshot(deps: RestoreDeps, context: JobContext, body: VaultRestoreBody) {
  const { vaults, chain } = deps;
  const { job, signal } = context;
  const vaultId = job.vaultId;
  await context.enter("fetching");
  await checkRestore(deps, vaultId, body);
  const staging = join(vaults.dir, `${vaultId}.restore-${job.id}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const store = await VaultStore.open(staging);
  try {
    const packs: PackBlob[] = [];
    for (const blobId of body.blobs) packs.push(await certifiedBlob(deps, blobId as Hex));
    context.progress(
      0,
      packs.reduce((total, pack) => total + pack.size, 0),
    );
    // chunks are written and synced a few at a time while the stream goes on: a staging
    // directory is new, so each is written in place (the swap, not a rename, makes it visible)
    const writes = new ChunkWrites(8);
    for (const pack of packs) {
      const blocks: { cid: CID; bytes: Uint8Array }[] = [];
      for await (const block of packBlocks(deps, pack, {
        signal,
        onBytes: (n) => context.progress(n),
      })) {
        if (block.cid.code !== raw.code) blocks.push(block);
        else await writes.add(block.cid, () => store.writeFreshChunk(block.cid, block.bytes));
        if (blocks.length >= 4096) store.db.transaction(() => store.putBlocks(blocks.splice(0)))();
      }
      store.db.transaction(() => store.putBlocks(blocks))();
    }
    // every chunk durable (each synced as it was written) before anything points at it
    await writes.done();
    await store.syncChunks();

    await context.enter("applying");
    const manifestCid = parseManifestCid(body.manifest);
    const manifestBytes = store.block(manifestCid);
    if (!manifestBytes) throw new BlockCorruptError(body.manifest, "is missing from the snapshot's packs");
    const manifest = decodeManifest(manifestBytes);
    const cached = store.blockLoader();
    const load = async (cid: CID) => {
      const bytes = cached(cid);
      if (!bytes) throw new BlockCorruptError(cid.toString(), "is missing from the snapshot's packs");
      return bytes;
    };
    const reached: CID[] = [manifestCid];
    for await (const block of snapshotBlocks(manifest, load)) {
      signal.throwIfAborted();
      if (block.kind === "chunk" && !(await store.hasChunk(block.cid))) {
        throw new BlockCorruptError(block.cid.toString(), "is missing from the snapshot's packs");
      }
      reached.push(block.cid);
    }
    const modified = Date.now();
    const chainVault = await vaults.chainVault(vaultId, { fresh: true });
    store.db.transaction(() => {
      for (const file of manifest.files) store.putFile({ ...file, modified });
      for (const [name, meta] of Object.entries(manifest.collections)) store.setCollectionMeta(name, meta);
      store.recordSnapshot(manifest.sequence, body.manifest, body.blobs, reached);
      store.mode = chainVault.home === chain.nodeId ? "live" : "staged";
    })();
    store.close();
    signal.throwIfAborted();
    await writeFile(join(staging, "RESTORED"), body.manifest);

    // the swap: the live copy aside, the restored one in, the old one gone (Vaults.recover
    // finishes it if the process dies between the renames)
    await vaults.closeVault(vaultId);
    const live = vaults.vaultDir(vaultId);
    const old = join(vaults.dir, `${vaultId}.old-${job.id}`);
    await rename(live, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await rename(staging, live);
    await rm(join(live, "RESTORED"), { force: true });
    await rm(old, { recursive: true, force: true });

    await context.enter("signing");
    const signature = await chain.account.signTypedData(
      restoredTypedData(chain.deployment.chainId, chain.deployment.contracts.vaults, {
        vaultId: BigInt(vaultId),
        sequence: BigInt(manifest.sequence),
        manifestHash: keccak256(manifestCid.bytes),
        nodeId: chain.nodeId,
      }),
    );
    vaults.logger.info(
      { vault_id: vaultId, sequence: manifest.sequence, manifest: body.manifest },
      "vault restored",
    );
    return {
      sequence: manifest.sequence,
      manifest: body.manifest,
      manifestBytes: toHex(manifestCid.bytes),
      nodeId: chain.nodeId,
      signature,
      files: manifest.files.length,
      bytes: manifestFileBytes(manifest),
    };
  } catch (error) {
    store.close();
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Chunk writes in flight, at most `limit`; `done` waits for all and gives the CIDs written. */
class ChunkWrites {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();
  readonly #written: CID[] = [];
  readonly #seen = new Set<string>();
  #failure: unknown;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async add(cid: CID, write: () => Promise<void>): Promise<void> {
    if (this.#failure) throw this.#failure;
    const key = cid.toString();
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const running: Promise<void> = write().then(
      () => {
        this.#written.push(cid);
        this.#running.delete(running);
      },
      (error: unknown) => {
        this.#failure ??= error;
        this.#running.delete(running);
      },
    );
    this.#running.add(running);
    if (this.#running.size >= this.#limit) await Promise.race(this.#running);
  }

  async done(): Promise<CID[]> {
    await Promise.all(this.#running);
    if (this.#failure) throw this.#failure;
    return this.#written;
  }
}

/** The manifest CID a restore names; a malformed one is the caller's error (400), not the node's. */
function parseManifestCid(text: string): CID {
  try {
    return CID.parse(text);
  } catch {
    throw new InvalidIdError("manifest CID", text);
  }
}
