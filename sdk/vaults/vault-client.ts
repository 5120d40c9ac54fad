import { CID } from "multiformats/cid";
import { type Hex, hexToBytes, parseEventLogs } from "viem";
import {
  createVaultNodeClient,
  type VaultJobReply,
  type VaultKeyGrant,
  type VaultNodeClient,
  vaultAuthorizer,
} from "../../api/vaults/index.ts";
import { concat, nodeRegistryAbi, vaultRegistryAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signing } from "../client/client-context.ts";
import { readCall, sendCall } from "../client/contract-calls.ts";
import { spendTokens } from "../client/spend-tokens.ts";
import { InvalidArgumentError } from "../errors.ts";
import { openLocalFile } from "./local-file.ts";
import { VaultJobError, VaultNoSnapshotError } from "./vault-errors.ts";

/** A job's progress as a vault call reports it. */
export type VaultProgress = (job: VaultJobReply) => void;

export interface OpenVaultParameters extends ActionOptions {
  /** The node that hosts it. */
  home: number;
  /** Bytes of files and documents it may hold. */
  quota: number;
  /** Epochs paid for up front (the escrow pays the home by the second). */
  epochs: number;
}

/**
 * Opens a vault on node `home`: the escrow (the node's price × quota × epochs) approved and paid
 * to the VaultRegistry; returns its id and a client for it.
 */
export async function openVault(ctx: ClientContext, params: OpenVaultParameters) {
  const signed = signing(ctx);
  const { vaults, registry } = ctx.deployment.contracts;
  if (!Number.isSafeInteger(params.quota) || params.quota < 1)
    throw new InvalidArgumentError("quota is a positive number of bytes");
  if (!Number.isInteger(params.epochs) || params.epochs < 1)
    throw new InvalidArgumentError("epochs is a positive integer");
  const node = await readCall(ctx.publicClient, {
    address: registry,
    abi: nodeRegistryAbi,
    functionName: "getNode",
    args: [params.home],
  });
  const amount = node.pricePerByteEpoch * BigInt(params.quota) * BigInt(params.epochs);
  const { receipt } = await spendTokens(signed, { spender: vaults, amount, signal: params.signal }, () =>
    sendCall(
      ctx.publicClient,
      signed.signer,
      {
        address: vaults,
        abi: vaultRegistryAbi,
        functionName: "openVault",
        args: [params.home, BigInt(params.quota), params.epochs],
      },
      sendOptionsOf(ctx, params.signal),
    ),
  );
  const [event] = parseEventLogs({ abi: vaultRegistryAbi, logs: receipt.logs, eventName: "VaultOpened" });
  if (!event) throw new InvalidArgumentError("openVault succeeded without a VaultOpened event");
  return vaultClient(ctx, Number(event.args.vaultId));
}

/**
 * A vault, wherever its home is: the home read from the chain (its endpoint from the registry),
 * every request signed by the client's signer. Files, collections, keys, freeze, snapshots,
 * restores and migrations; jobs are followed to their end (progress pushed by the node).
 */
export function vaultClient(ctx: ClientContext, vaultId: number) {
  const signed = signing(ctx);
  const { vaults, registry } = ctx.deployment.contracts;
  const nodeClient = async (nodeId?: number): Promise<VaultNodeClient> => {
    const id = nodeId ?? (await chainVault()).home;
    const node = await readCall(ctx.publicClient, {
      address: registry,
      abi: nodeRegistryAbi,
      functionName: "getNode",
      args: [id],
    });
    return createVaultNodeClient({
      baseUrl: node.endpoint,
      nodeId: id,
      vaultId,
      authorize: vaultAuthorizer({
        address: await signed.signer.address(),
        chainId: ctx.deployment.chainId,
        vaultId,
        signMessage: (message) => signed.signer.signMessage(message),
      }),
    });
  };
  const chainVault = async () => {
    const info = await readCall(ctx.publicClient, {
      address: vaults,
      abi: vaultRegistryAbi,
      functionName: "getVault",
      args: [BigInt(vaultId)],
    });
    return { ...info, home: Number(info.home), sequence: Number(info.sequence), quota: Number(info.quota) };
  };
  const follow = async (
    client: VaultNodeClient,
    job: VaultJobReply,
    onProgress?: VaultProgress,
    signal?: AbortSignal,
  ) => {
    let last = job;
    for await (const update of client.follow(job.id, signal ? { signal } : {})) {
      last = update;
      onProgress?.(update);
    }
    if (last.state !== "done") throw new VaultJobError(last);
    return last;
  };
  const moveHome = async (to: number, signature: Hex, signal?: AbortSignal) =>
    sendCall(
      ctx.publicClient,
      signed.signer,
      {
        address: vaults,
        abi: vaultRegistryAbi,
        functionName: "moveHome",
        args: [BigInt(vaultId), to, signature],
      },
      sendOptionsOf(ctx, signal),
    );
  type Opts = { signal?: AbortSignal };

  return {
    vaultId,
    /** The chain's record: owner, home, quota, escrow, the last committed snapshot. */
    info: chainVault,
    /** The vault's client on its home node (or on `nodeId`). */
    node: nodeClient,
    status: async (opts: Opts & { nodeId?: number } = {}) => (await nodeClient(opts.nodeId)).status(opts),

    /** Writes a file from bytes, a Blob (a page's File) or, in Node.js, a local file path. */
    put: async (
      path: string,
      source: Uint8Array | Blob | string,
      opts: Opts & { type?: string; onBytes?: (n: number) => void } = {},
    ) => {
      const client = await nodeClient();
      if (typeof source === "string") {
        const local = await openLocalFile(source, opts.signal);
        return client.putFile(path, local.chunks, local.size, opts);
      }
      if (source instanceof Blob) return client.putFile(path, source, source.size, opts);
      const once = async function* () {
        yield source;
      };
      return client.putFile(path, once(), source.length, opts);
    },
    /** Reads a file (or a range, `bytes=a-b`) whole into memory. */
    get: async (path: string, opts: Opts & { range?: string; nodeId?: number } = {}) => {
      const read = await (await nodeClient(opts.nodeId)).getFile(path, opts);
      const chunks: Uint8Array[] = [];
      for await (const chunk of read.body) chunks.push(chunk);
      return concat(chunks);
    },
    /** Streams a file (or a range). */
    stream: async (path: string, opts: Opts & { range?: string; nodeId?: number } = {}) =>
      (await nodeClient(opts.nodeId)).getFile(path, opts),
    stat: async (path: string, opts: Opts = {}) => (await nodeClient()).stat(path, opts),
    list: async (
      query: { prefix?: string; after?: string; limit?: number; nodeId?: number } = {},
      opts: Opts = {},
    ) => {
      const { nodeId, ...rest } = query;
      return (await nodeClient(nodeId)).listFiles(rest, opts);
    },
    remove: async (path: string, opts: Opts = {}) => (await nodeClient()).deleteFile(path, opts),

    /** The vault's collections, run by its node: insert, find, update, delete, count, indexes. */
    db: (collection: string) => ({
      insert: async (docs: Record<string, unknown> | Record<string, unknown>[], opts: Opts = {}) =>
        (await (await nodeClient()).insert(collection, Array.isArray(docs) ? docs : [docs], opts)).ids,
      find: async (
        filter: Record<string, unknown> = {},
        options: {
          sort?: Record<string, 1 | -1>;
          skip?: number;
          limit?: number;
          projection?: Record<string, number | boolean>;
          nodeId?: number;
        } & Opts = {},
      ) => {
        const { nodeId, signal, ...query } = options;
        return (
          await (await nodeClient(nodeId)).find(collection, { filter, ...query }, signal ? { signal } : {})
        ).docs;
      },
      update: async (filter: Record<string, unknown>, update: Record<string, unknown>, opts: Opts = {}) =>
        (await (await nodeClient()).update(collection, filter, update, opts)).changed,
      delete: async (filter: Record<string, unknown>, opts: Opts = {}) =>
        (await (await nodeClient()).delete(collection, filter, opts)).deleted,
      count: async (filter: Record<string, unknown> = {}, opts: Opts = {}) =>
        (await (await nodeClient()).count(collection, filter, opts)).count,
      createIndex: async (path: string, opts: Opts = {}) =>
        (await (await nodeClient()).createIndex(collection, path, opts)).indexes,
      dropIndex: async (path: string, opts: Opts = {}) =>
        (await (await nodeClient()).dropIndex(collection, path, opts)).indexes,
    }),
    collections: async (opts: Opts = {}) => (await (await nodeClient()).collections(opts)).collections,

    grantKey: async (grant: VaultKeyGrant, opts: Opts = {}) => (await nodeClient()).grantKey(grant, opts),
    revokeKey: async (address: string, opts: Opts = {}) => (await nodeClient()).revokeKey(address, opts),
    freeze: async (frozen = true, opts: Opts = {}) => (await nodeClient()).freeze(frozen, opts),

    /** Snapshots the vault into the network (hot copies or cold shards) and waits for the commit on chain. */
    snapshot: async (
      opts: Opts & { replicas?: number; tier?: "hot" | "cold"; onProgress?: VaultProgress } = {},
    ) => {
      const client = await nodeClient();
      const job = await client.snapshot(
        { ...(opts.replicas ? { replicas: opts.replicas } : {}), ...(opts.tier ? { tier: opts.tier } : {}) },
        opts,
      );
      opts.onProgress?.(job);
      return (await follow(client, job, opts.onProgress, opts.signal)).result as {
        sequence: number;
        manifest: string;
        blobs: string[];
        newBytes: number;
        packBytes: number;
      };
    },

    /**
     * Restores the last committed snapshot on node `to` and moves the home there: for a home
     * that disappeared, with the owner's signature alone (the snapshot's blobs from the indexer).
     */
    restore: async (to: number, opts: Opts & { onProgress?: VaultProgress } = {}) => {
      const info = await chainVault();
      if (info.sequence === 0) throw new VaultNoSnapshotError(vaultId);
      const { snapshots } = await ctx.indexer.vaults.snapshots(vaultId, opts);
      const latest = snapshots.find((s) => s.sequence === info.sequence);
      if (!latest) throw new VaultNoSnapshotError(vaultId);
      const manifest = CID.decode(hexToBytes(latest.manifest as Hex)).toString();
      const blobs = [...snapshots]
        .reverse()
        .filter((s) => s.sequence <= info.sequence)
        .flatMap((s) => s.blobs);
      const client = await nodeClient(to);
      const job = await client.restore(
        { sequence: info.sequence, manifest, blobs: [...new Set(blobs)] },
        opts,
      );
      opts.onProgress?.(job);
      const done = await follow(client, job, opts.onProgress, opts.signal);
      const result = done.result as { signature: Hex; sequence: number; manifest: string };
      if (info.home !== to) await moveHome(to, result.signature, opts.signal);
      return { ...result, to };
    },

    /**
     * Moves the vault to node `to` in one call: the home freezes it, snapshots it and has `to`
     * restore it; `to`'s signature moves the home on chain; the old home turns read-only.
     */
    migrate: async (to: number, opts: Opts & { replicas?: number; onProgress?: VaultProgress } = {}) => {
      const client = await nodeClient();
      let job = await client.migrate(to, opts);
      opts.onProgress?.(job);
      let moved = false;
      for await (const update of client.follow(job.id, opts.signal ? { signal: opts.signal } : {})) {
        job = update;
        opts.onProgress?.(update);
        if (update.state === "awaiting-move" && !moved && update.result?.signature) {
          moved = true;
          await moveHome(to, update.result.signature as Hex, opts.signal);
        }
      }
      if (job.state !== "done") throw new VaultJobError(job);
      return job.result as { to: number; sequence: number; manifest: string; signature: Hex };
    },

    /** Extends the escrow by `epochs`. */
    extend: async (epochs: number, opts: Opts = {}) => {
      const info = await chainVault();
      const amount = BigInt(info.pricePerByteEpoch) * BigInt(info.quota) * BigInt(epochs);
      return spendTokens(signed, { spender: vaults, amount, signal: opts.signal }, () =>
        sendCall(
          ctx.publicClient,
          signed.signer,
          { address: vaults, abi: vaultRegistryAbi, functionName: "extend", args: [BigInt(vaultId), epochs] },
          sendOptionsOf(ctx, opts.signal),
        ),
      );
    },

    /** Closes the vault: the escrow left comes back; the home may then drop it. */
    close: async (opts: Opts = {}) => {
      const sent = await sendCall(
        ctx.publicClient,
        signed.signer,
        { address: vaults, abi: vaultRegistryAbi, functionName: "close", args: [BigInt(vaultId)] },
        sendOptionsOf(ctx, opts.signal),
      );
      return { hash: sent.hash };
    },
  };
}

export type VaultClient = ReturnType<typeof vaultClient>;
