import { readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyRequest } from "fastify";
import type { CID } from "multiformats/cid";
import { getAddress, type Hex, recoverMessageAddress } from "viem";
import { VAULT_REQUEST_SKEW_SECONDS, vaultRequestMessage } from "#protocol";
import { VAULT_AUTH_HEADER, type VaultScope, type VaultStatusReply } from "../../api/vaults/index.ts";
import type { Logger } from "../../service/logger.ts";
import { type ChainClient, revertName } from "../chain/chain-client.ts";
import {
  InvalidSignatureError,
  RequestExpiredError,
  VaultForbiddenError,
  VaultFrozenError,
  VaultNotHomeError,
  VaultQuotaError,
  VaultUnknownError,
} from "../errors.ts";
import type { UsedNonces } from "../storage/used-nonces.ts";
import { VaultCollections } from "./vault-collections.ts";
import { VaultStore } from "./vault-store.ts";

/** The chain's record of a vault, as the node reads it. */
export interface ChainVault {
  owner: string;
  home: number;
  closed: boolean;
  quota: number;
  sequence: number;
  manifestHash: Hex;
  /** Unix seconds the escrow pays the home through. */
  paidThrough: number;
}

/** A vault open on this node: its store, its collections, and the one queue its writes go through. */
export class OpenVault {
  readonly vaultId: number;
  readonly store: VaultStore;
  readonly collections: VaultCollections;
  /** Bytes promised to writes in progress (the quota counts them before they land). */
  reserved = 0;
  /** Snapshots reading the vault's chunks now: a delete leaves chunks on disk until they end. */
  readers = 0;
  readonly #deferred: CID[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(vaultId: number, store: VaultStore) {
    this.vaultId = vaultId;
    this.store = store;
    this.collections = new VaultCollections(store);
  }

  /** Runs `task` after every write queued before it. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task, task);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Removes chunks no file refers to, once no snapshot is reading them. */
  async dropChunks(cids: CID[]): Promise<void> {
    this.#deferred.push(...cids);
    if (this.readers > 0) return;
    const drop = this.#deferred.splice(0).filter((cid) => !this.store.isReferenced(cid));
    await this.store.removeChunks(drop);
  }

  /** Runs `read` as a reader of the vault's chunks (they stay on disk until it ends). */
  async reading<T>(read: () => Promise<T>): Promise<T> {
    this.readers += 1;
    try {
      return await read();
    } finally {
      this.readers -= 1;
      await this.dropChunks([]);
    }
  }

  used(): number {
    return this.store.fileStats().bytes + this.store.blockBytes();
  }
}

/** Who signed a request, and as what. */
export interface VaultCaller {
  address: string;
  role: "owner" | "app" | "node";
}

const CHAIN_CACHE_MS = 1_000;

/**
 * The vaults this node holds: each in its own directory (a SQLite file and its file chunks),
 * opened on first use. Checks every request's signature (the owner, an app key the owner granted,
 * or, for a restore, the vault's home node), its freshness and nonce; refuses writes unless the
 * chain names this node the vault's home and the vault is live; counts the quota before a write.
 */
export class Vaults {
  readonly dir: string;
  readonly chain: ChainClient;
  readonly logger: Logger;
  readonly #nonces: Pick<UsedNonces, "use">;
  readonly #open = new Map<number, Promise<OpenVault>>();
  readonly #chainCache = new Map<number, { at: number; vault: ChainVault }>();

  constructor(options: {
    dataDir: string;
    chain: ChainClient;
    nonces: Pick<UsedNonces, "use">;
    logger: Logger;
  }) {
    this.dir = join(options.dataDir, "vaults");
    this.chain = options.chain;
    this.#nonces = options.nonces;
    this.logger = options.logger.child({ component: "vaults" });
  }

  vaultDir(vaultId: number): string {
    return join(this.dir, String(vaultId));
  }

  /**
   * Finishes what a crash interrupted: a restore swapped halfway (the new copy complete, the old
   * one moved aside) is swapped in; leftovers of unfinished restores are removed.
   */
  async recover(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      const staged = /^(\d+)\.restore-[0-9a-f]+$/.exec(name);
      const old = /^(\d+)\.old-[0-9a-f]+$/.exec(name);
      if (staged) {
        const live = this.vaultDir(Number(staged[1]));
        const complete = await exists(join(this.dir, name, "RESTORED"));
        if (complete && !(await exists(live))) await rename(join(this.dir, name), live);
        else await rm(join(this.dir, name), { recursive: true, force: true });
      } else if (old) {
        await rm(join(this.dir, name), { recursive: true, force: true });
      }
    }
  }

  /** The chain's record of a vault (cached a second). */
  async chainVault(vaultId: number, options: { fresh?: boolean } = {}): Promise<ChainVault> {
    const cached = this.#chainCache.get(vaultId);
    if (cached && !options.fresh && Date.now() - cached.at < CHAIN_CACHE_MS) return cached.vault;
    let info: Awaited<ReturnType<typeof this.chain.vaults.read.getVault>>;
    try {
      info = await this.chain.read(() => this.chain.vaults.read.getVault([BigInt(vaultId)]));
    } catch (error) {
      if (revertName(error) === "VaultRegistryUnknownVault") {
        throw new VaultUnknownError(vaultId, "the chain has no such vault");
      }
      throw error;
    }
    const vault = {
      owner: getAddress(info.owner),
      home: Number(info.home),
      closed: info.closed,
      quota: Number(info.quota),
      sequence: Number(info.sequence),
      manifestHash: info.manifestHash,
      paidThrough: Number(info.paidThrough),
    };
    this.#chainCache.set(vaultId, { at: Date.now(), vault });
    return vault;
  }

  /** The vault's open handle, if this node has it. */
  async held(vaultId: number): Promise<OpenVault | undefined> {
    const open = this.#open.get(vaultId);
    if (open) return open;
    if (!(await exists(this.vaultDir(vaultId)))) return undefined;
    return this.#opened(vaultId);
  }

  /**
   * The vault, opened; a vault the chain homes here with no snapshot yet is created on first
   * use. One homed elsewhere, or with snapshots this node never restored, is not held here.
   */
  async vault(vaultId: number): Promise<OpenVault> {
    const held = await this.held(vaultId);
    if (held) return held;
    const chain = await this.chainVault(vaultId);
    if (chain.closed) throw new VaultUnknownError(vaultId, "it is closed");
    if (chain.home !== this.chain.nodeId) throw new VaultNotHomeError(vaultId, chain.home);
    if (chain.sequence > 0) {
      throw new VaultUnknownError(vaultId, `restore its snapshot ${chain.sequence} here first`);
    }
    return this.#opened(vaultId);
  }

  #opened(vaultId: number): Promise<OpenVault> {
    let open = this.#open.get(vaultId);
    if (!open) {
      open = VaultStore.open(this.vaultDir(vaultId)).then((store) => new OpenVault(vaultId, store));
      this.#open.set(vaultId, open);
      open.catch(() => this.#open.delete(vaultId));
    }
    return open;
  }

  /** Closes a vault's handle (before its directory is swapped or removed). */
  async closeVault(vaultId: number): Promise<void> {
    const open = this.#open.get(vaultId);
    this.#open.delete(vaultId);
    if (open) (await open.catch(() => undefined))?.store.close();
  }

  /** Removes this node's copy of a vault. */
  async release(vaultId: number): Promise<void> {
    await this.closeVault(vaultId);
    await rm(this.vaultDir(vaultId), { recursive: true, force: true });
    this.logger.info({ vault_id: vaultId }, "vault released");
  }

  /**
   * Checks the request's `x-strata-vault-auth`: the signature over the request, its time and
   * nonce (used once); then that the signer may do `needed`: the owner anything, an app key
   * what its grant scopes until it expires or is revoked, the home node a restore.
   */
  async authorize(
    request: FastifyRequest,
    vaultId: number,
    needed: VaultScope | "owner" | "restore",
  ): Promise<VaultCaller> {
    const header = request.headers[VAULT_AUTH_HEADER];
    const parts = typeof header === "string" ? header.split(".") : [];
    if (parts.length !== 4)
      throw new InvalidSignatureError(`${VAULT_AUTH_HEADER} is <signer>.<timestamp>.<nonce>.<signature>`);
    const [signer, at, nonce, signature] = parts as [string, string, string, string];
    const timestamp = Number(at);
    const now = Math.floor(Date.now() / 1000);
    if (!Number.isSafeInteger(timestamp) || Math.abs(now - timestamp) > VAULT_REQUEST_SKEW_SECONDS) {
      throw new RequestExpiredError("the request's timestamp is more than two minutes off");
    }
    if (
      !/^0x[0-9a-fA-F]{32}$/.test(nonce) ||
      !/^0x[0-9a-fA-F]{130}$/.test(signature) ||
      !/^0x[0-9a-fA-F]{40}$/.test(signer)
    ) {
      throw new InvalidSignatureError("malformed signer, nonce or signature");
    }
    const message = vaultRequestMessage({
      chainId: this.chain.deployment.chainId,
      vaultId,
      method: request.method,
      path: request.url,
      contentLength: Number(request.headers["content-length"] ?? 0),
      timestamp,
      nonce: nonce as Hex,
    });
    const recovered = await recoverMessageAddress({ message, signature: signature as Hex }).catch(
      () => undefined,
    );
    if (!recovered || recovered.toLowerCase() !== signer.toLowerCase()) {
      throw new InvalidSignatureError("the signature does not match the request and its signer");
    }
    const caller = await this.#role(vaultId, recovered, needed);
    await this.#nonces.use(
      `0x${nonce.slice(2).padStart(64, "0")}` as Hex,
      timestamp + VAULT_REQUEST_SKEW_SECONDS,
    );
    return caller;
  }

  async #role(
    vaultId: number,
    address: string,
    needed: VaultScope | "owner" | "restore",
  ): Promise<VaultCaller> {
    const chain = await this.chainVault(vaultId);
    if (address === chain.owner) return { address, role: "owner" };
    if (needed === "restore") {
      const [, homeSigner] = await this.chain.read(() => this.chain.registry.read.nodeAccounts([chain.home]));
      if (getAddress(homeSigner) === address) return { address, role: "node" };
    } else if (needed !== "owner") {
      const key = (await this.held(vaultId))?.store.key(address);
      const scopes = new Set(key?.scopes ?? []);
      const granted =
        scopes.has(needed) || (needed.endsWith(":read") && scopes.has(needed.replace(":read", ":write")));
      if (key && !key.revoked && key.expires > Date.now() / 1000 && granted) return { address, role: "app" };
    }
    throw new VaultForbiddenError(address, needed);
  }

  /**
   * The vault, for a write: the chain must home it here (a restored copy turns live when it
   * does) and it must be live (423 while frozen or moved away).
   */
  async writable(vaultId: number): Promise<OpenVault> {
    const vault = await this.vault(vaultId);
    let chain = await this.chainVault(vaultId);
    // the home may have moved here a moment ago: a refusal is decided on a fresh read
    if (chain.home !== this.chain.nodeId) chain = await this.chainVault(vaultId, { fresh: true });
    this.#settle(vault, chain);
    if (chain.closed) throw new VaultUnknownError(vaultId, "it is closed");
    if (chain.home !== this.chain.nodeId) throw new VaultNotHomeError(vaultId, chain.home);
    if (vault.store.mode !== "live") throw new VaultFrozenError(vaultId, vault.store.mode);
    return vault;
  }

  /** A restored copy turns live once the chain homes it here; a live one the chain moved away, read-only. */
  #settle(vault: OpenVault, chain: ChainVault): void {
    const home = chain.home === this.chain.nodeId;
    if (home && vault.store.mode === "staged") vault.store.mode = "live";
    if (!home && vault.store.mode === "live") vault.store.mode = "moved";
  }

  /** Holds `bytes` of the quota for a write, or refuses it (507) before anything is written. */
  async reserve(vault: OpenVault, bytes: number, freed = 0): Promise<() => void> {
    const { quota } = await this.chainVault(vault.vaultId);
    const free = quota - vault.used() - vault.reserved + freed;
    if (bytes > free) throw new VaultQuotaError(bytes, Math.max(0, free));
    vault.reserved += bytes;
    return () => {
      vault.reserved -= bytes;
    };
  }

  async status(vaultId: number): Promise<VaultStatusReply> {
    const vault = await this.vault(vaultId);
    const chain = await this.chainVault(vaultId, { fresh: true });
    this.#settle(vault, chain);
    const last = vault.store.lastSnapshot();
    return {
      vaultId,
      owner: chain.owner,
      home: chain.home,
      mode: vault.store.mode,
      quota: chain.quota,
      used: vault.used(),
      files: vault.store.fileStats().files,
      collections: vault.collections.names(),
      sequence: last?.sequence ?? 0,
      manifest: last?.manifest ?? null,
    };
  }

  /**
   * Releases the vaults that moved away more than `afterMs` ago, once the chain (read again)
   * homes them elsewhere (until then this node keeps serving their reads), and closed ones.
   */
  async releaseMoved(afterMs: number): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => /^\d+$/.test(n))) {
      const vaultId = Number(name);
      const vault = await this.held(vaultId);
      if (!vault) continue;
      const chain = await this.chainVault(vaultId, { fresh: true });
      if (chain.closed) {
        // a closed vault's escrow is refunded: nobody pays for its copy any more
        await this.release(vaultId);
        continue;
      }
      if (vault.store.mode !== "moved") continue;
      const movedAt = Number(vault.store.get("movedAt") ?? 0);
      if (Date.now() - movedAt >= afterMs && chain.home !== this.chain.nodeId) await this.release(vaultId);
    }
  }

  async stop(): Promise<void> {
    for (const vaultId of [...this.#open.keys()]) await this.closeVault(vaultId);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
