import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import { CID } from "multiformats/cid";
import {
  type Address,
  type ContractFunctionReturnType,
  createPublicClient,
  type Hex,
  http,
  type PublicClient,
  parseEventLogs,
  toHex,
  type WalletClient,
} from "viem";
import {
  blobStatusName,
  type Deployment,
  deleteRequestTypedData,
  holdersIn,
  nodeRegistryAbi,
  storageMarketAbi,
  strataTokenAbi,
  Tier,
  TierBit,
  type TierName,
  tierName,
} from "#protocol";
import {
  describeFailure,
  FetchFailedError,
  InvalidArgumentError,
  type NodeFailure,
  StrataError,
} from "../errors.ts";
import { type AllowanceLedger, sharedAllowances } from "./allowance-ledger.ts";
import { type ChainSigner, type EthersSignerLike, toChainSigner } from "./chain-signer.ts";
import {
  DEFAULT_POLLING_INTERVAL_MS,
  readCall,
  receiptOf,
  revertOf,
  type SendOptions,
  sendCall,
  sendTransaction,
} from "./contract-calls.ts";
import { type BlobQuery, IndexerClient } from "./indexer-client.ts";
import { type NonceSequencers, sharedNonces } from "./nonce-sequencer.ts";
import { postMigrate } from "./post-migrate.ts";
import type { UploadSource } from "./prepare-source.ts";
import { readWithFailover, type Source } from "./read-with-failover.ts";
import { selectNodes } from "./select-nodes.ts";
import { type UploadOptions, type UploadResult, uploadBlob } from "./upload-blob.ts";

export interface StrataClientOptions {
  deployment: Deployment;
  /** JSON-RPC endpoint for reads, simulations and receipts (or a ready PublicClient). */
  rpcUrl?: string;
  publicClient?: PublicClient;
  /** Who signs: a viem WalletClient with an account or an ethers v6 Signer. Reads need none. */
  signer?: WalletClient | EthersSignerLike;
  indexerUrl: string;
  /**
   * Longest wait between two receipt polls, about the chain's block time (default 500 ms; viem's
   * own default is 4 s). Also the polling interval of the PublicClient made from `rpcUrl`.
   */
  pollingIntervalMs?: number;
  /**
   * Nonce sequencers and token allowance ledger of the accounts this client signs as. By default
   * the process-wide ones, so every client signing as one account shares its nonce sequence and
   * its allowances, and parallel uploads from one account do not collide.
   */
  nonces?: NonceSequencers;
  allowances?: AllowanceLedger;
}

export interface NodeParams {
  signer: Address;
  endpoint: string;
  peerId: string;
  multiaddrs?: string[];
  tiers?: TierName[];
  capacity: bigint;
  pricePerByteEpoch: bigint;
}

type Options = { signal?: AbortSignal };

/**
 * Strata for dApps and operators: uploads through the market contract, verified reads routed by
 * the indexer, blob management, and the node operator's staking and pay. Every call takes an
 * AbortSignal; every failure is a StrataError with a stable code (contract reverts decoded by name).
 */
export class StrataClient {
  readonly deployment: Deployment;
  readonly publicClient: PublicClient;
  readonly indexer: IndexerClient;
  readonly #signer: ChainSigner | undefined;
  readonly #pollingIntervalMs: number;
  readonly #nonces: NonceSequencers;
  readonly #allowances: AllowanceLedger;

  constructor(options: StrataClientOptions) {
    this.deployment = options.deployment;
    if (!options.publicClient && !options.rpcUrl)
      throw new InvalidArgumentError("pass rpcUrl or publicClient");
    const polling = options.pollingIntervalMs ?? DEFAULT_POLLING_INTERVAL_MS;
    if (!Number.isFinite(polling) || polling < 1)
      throw new InvalidArgumentError("pollingIntervalMs must be a positive number");
    this.#pollingIntervalMs = polling;
    this.publicClient =
      options.publicClient ??
      (createPublicClient({
        transport: http(options.rpcUrl as string),
        pollingInterval: polling,
      }) as PublicClient);
    this.indexer = new IndexerClient(options.indexerUrl);
    this.#signer = options.signer ? toChainSigner(options.signer) : undefined;
    this.#nonces = options.nonces ?? sharedNonces;
    this.#allowances = options.allowances ?? sharedAllowances;
  }

  /** How calls that sign send and wait: the signal, the polling cap and the nonce sequencers. */
  #sending(options: Options): SendOptions {
    return {
      ...(options.signal ? { signal: options.signal } : {}),
      pollingIntervalMs: this.#pollingIntervalMs,
      nonces: this.#nonces,
    };
  }

  get signer(): ChainSigner {
    if (!this.#signer)
      throw new InvalidArgumentError("this call signs a transaction: give the client a signer");
    return this.#signer;
  }

  /** The signer's address. */
  address(): Promise<Address> {
    return this.signer.address();
  }

  /** Uploads a blob (bytes, a file path or a stream) and returns once it is certified on chain. */
  upload(source: UploadSource, options: UploadOptions = {}): Promise<UploadResult> {
    const name = options.name ?? (typeof source === "string" ? basename(source) : "");
    return uploadBlob(
      {
        publicClient: this.publicClient,
        signer: this.signer,
        deployment: this.deployment,
        indexer: this.indexer,
        pollingIntervalMs: this.#pollingIntervalMs,
        nonces: this.#nonces,
        allowances: this.#allowances,
      },
      source,
      { ...options, name },
    );
  }

  /** The verified bytes of `cid`, streamed, failing over between the nodes the indexer routes to. */
  async *stream(
    cid: string,
    options: Options & { nodes?: Source[]; onFailure?: (failure: NodeFailure) => void } = {},
  ): AsyncGenerator<Uint8Array> {
    try {
      CID.parse(cid);
    } catch {
      throw new InvalidArgumentError(`${cid} is not a CID`);
    }
    const sources =
      options.nodes ??
      (await this.indexer.route(cid, options.signal)).nodes.map(({ nodeId, endpoint }) => ({
        nodeId,
        endpoint,
      }));
    yield* readWithFailover(cid, sources, options);
  }

  /** The verified bytes of `cid`, whole. */
  async get(
    cid: string,
    options: Options & { onFailure?: (failure: NodeFailure) => void } = {},
  ): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.stream(cid, options)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /** A blob as the chain has it now, with what the indexer knows (name, tags, holders). */
  /**
   * Moves a blob between the tiers. To cold: the blob is read back (verified), its cold layout
   * computed here, a cold registration for the same CID paid for and made, and one of its hot
   * holders encodes its copy, sends every shard and certifies (POST /migrate); with `deleteHot`
   * the hot registration is deleted once the cold one is certified. To hot: a cold holder
   * rebuilds the blob and keeps it in its hot tier (POST /migrate); the answer names it.
   */
  async migrate(
    blobId: Hex,
    options: Options &
      (
        | ({ to: "cold"; deleteHot?: boolean } & Pick<
            UploadOptions,
            "replicas" | "nodes" | "faults" | "epochs" | "onProgress"
          >)
        | { to: "hot" }
      ),
  ): Promise<
    | { to: "cold"; cold: UploadResult; deleted?: Hex }
    | { to: "hot"; nodeId: number; endpoint: string; cid: string; size: number }
  > {
    const { signal } = options;
    const status = await this.status(blobId, options);
    const indexed = status.indexed;
    if (!indexed)
      throw new StrataError("STRATA_ERR_NOT_FOUND", `the indexer does not know blob ${blobId} yet`);
    const known = await this.indexer.nodes(signal);
    const endpointOf = (nodeId: number) => known.find((node) => node.nodeId === nodeId)?.endpoint;
    const failures: NodeFailure[] = [];
    if (options.to === "hot") {
      if (status.tier !== "cold") throw new InvalidArgumentError(`blob ${blobId} is already hot`);
      for (const nodeId of status.nodes) {
        const endpoint = endpointOf(nodeId);
        if (!endpoint) continue;
        try {
          const reply = await postMigrate(endpoint, { blobId, to: "hot" }, signal);
          return { to: "hot", nodeId, endpoint, cid: reply.cid, size: reply.size ?? 0 };
        } catch (error) {
          signal?.throwIfAborted();
          failures.push({ nodeId, endpoint, error: describeFailure(error) });
        }
      }
      throw new FetchFailedError(indexed.cid, failures);
    }
    if (status.tier !== "hot") throw new InvalidArgumentError(`blob ${blobId} is already cold`);
    const holder = status.nodes
      .map((nodeId) => ({ nodeId, endpoint: endpointOf(nodeId) }))
      .find((n) => n.endpoint);
    if (!holder?.endpoint)
      throw new StrataError("STRATA_ERR_NOT_FOUND", `no hot holder of ${blobId} is indexed`);
    const cold = await this.upload(this.stream(indexed.cid, signal ? { signal } : {}), {
      tier: "cold",
      name: indexed.name,
      mimeType: indexed.mimeType,
      tags: indexed.tags,
      ...(options.replicas ? { replicas: options.replicas } : {}),
      ...(options.nodes ? { nodes: options.nodes } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.epochs ? { epochs: options.epochs } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(signal ? { signal } : {}),
      viaNode: { blobId, endpoint: holder.endpoint },
    });
    if (cold.cid !== indexed.cid)
      throw new StrataError("STRATA_ERR_VERIFICATION", "the blob read back has another CID");
    const deleted = options.deleteHot ? (await this.delete(blobId, options)).hash : undefined;
    return { to: "cold", cold, ...(deleted ? { deleted } : {}) };
  }

  async status(blobId: Hex, options: Options = {}) {
    const info = await this.#blob(blobId).catch((error: unknown) => {
      if (revertOf(error, "getBlob")?.errorName === "StorageMarketUnknownBlob") {
        throw new StrataError("STRATA_ERR_NOT_FOUND", `no blob ${blobId}`, { cause: error });
      }
      throw error;
    });
    const indexed = await this.indexer.blob(blobId, options.signal).catch(() => undefined);
    return {
      blobId,
      owner: info.owner,
      status: blobStatusName(info.status),
      tier: tierName(info.tier),
      size: Number(info.size),
      epochs: info.epochs,
      /** Holders whose attestations were counted. */
      attested: holdersIn(info.attested),
      quorum: info.quorum,
      /** Holder places attested and not dropped: below `targetHolders`, the blob is healing. */
      liveHolders: holdersIn(info.attested & ~info.dropped),
      targetHolders: info.holders.length,
      /** Holders dropped for missed proofs whose places are not taken yet. */
      droppedHolders: holdersIn(info.dropped),
      startPeriod: info.startPeriod,
      endPeriod: info.endPeriod,
      escrow: info.escrow,
      nodes: info.holders.map((holder) => holder.nodeId),
      indexed,
    };
  }

  /** Blobs from the indexer (default: the signer's own), newest first, one page. */
  async list(query: BlobQuery = {}, options: Options = {}) {
    const owner = query.owner ?? (this.#signer ? await this.#signer.address() : undefined);
    return this.indexer.blobs({ ...query, ...(owner ? { owner } : {}) }, options.signal);
  }

  /** Price of storing `size` bytes on `nodes` (or the `replicas` best) for `epochs`, plus the fee. */
  async quote(
    request: { size: number; epochs?: number; tier?: TierName; nodes?: number[]; replicas?: number },
    options: Options = {},
  ) {
    const tier = request.tier ?? "hot";
    let nodes = request.nodes;
    if (!nodes) {
      const all = await this.indexer.nodes(options.signal);
      nodes = selectNodes(all, { count: request.replicas ?? 3, size: request.size, tier }).map(
        (n) => n.nodeId,
      );
    }
    nodes = [...nodes].sort((a, b) => a - b);
    const [cost, fee]: readonly [bigint, bigint] = await readCall(this.publicClient, {
      address: this.deployment.contracts.market,
      abi: storageMarketAbi,
      functionName: "quote",
      args: [nodes, Tier[tier], BigInt(request.size), request.epochs ?? 1],
    });
    return { nodes, cost, fee, total: cost + fee };
  }

  /**
   * Ends a blob on chain (later periods are refunded), then asks its nodes, with a request the
   * owner signs, to drop their copies at once; nodes also drop them on their own when they see
   * the deletion. Returns the nodes that confirmed.
   */
  async delete(blobId: Hex, options: Options = {}) {
    const { hash } = await this.#market("deleteBlob", [blobId], options);
    const blob = await this.indexer.blob(blobId, options.signal).catch(() => undefined);
    if (!blob) return { hash, dropped: [] as number[] };
    const message = {
      blobId,
      expiry: BigInt(Math.floor(Date.now() / 1000) + 600),
      nonce: toHex(randomBytes(32)),
    };
    const signature = await this.signer.signTypedData(
      deleteRequestTypedData(this.deployment.chainId, this.deployment.contracts.market, message),
    );
    const body = JSON.stringify({ blobId, expiry: Number(message.expiry), nonce: message.nonce, signature });
    const answers = await Promise.allSettled(
      blob.holders.map(async (holder) => {
        if (!holder.endpoint) throw new Error("no endpoint");
        const response = await fetch(`${holder.endpoint}/file/${blob.cid}`, {
          method: "DELETE",
          headers: { "content-type": "application/json" },
          body,
          signal: options.signal
            ? AbortSignal.any([options.signal, AbortSignal.timeout(10_000)])
            : AbortSignal.timeout(10_000),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return holder.nodeId;
      }),
    );
    return {
      hash,
      dropped: answers.flatMap((answer) => (answer.status === "fulfilled" ? [answer.value] : [])),
    };
  }

  /** Pays for `epochs` more epochs at the holders' recorded prices. */
  async extend(blobId: Hex, epochs: number, options: Options = {}) {
    if (!Number.isInteger(epochs) || epochs < 1)
      throw new InvalidArgumentError("epochs must be a positive integer");
    const info = await this.#blob(blobId);
    const stored = info.tier === Tier.hot ? info.size : info.shardSize;
    const cost =
      info.holders.reduce((sum, holder) => sum + holder.pricePerByteEpoch, 0n) * stored * BigInt(epochs);
    // the fee rate, read off a quote; a unit of margin for the contract's rounding
    const [quoted, quotedFee]: readonly [bigint, bigint] = await readCall(this.publicClient, {
      address: this.deployment.contracts.market,
      abi: storageMarketAbi,
      functionName: "quote",
      args: [info.holders.map((holder) => holder.nodeId), info.tier, stored, epochs],
    });
    const fee = quoted === 0n ? 0n : (cost * (quotedFee + 1n) + quoted - 1n) / quoted + 1n;
    const { hash } = await this.#spending(cost + fee, options, this.deployment.contracts.market, () =>
      this.#market("extend", [blobId, epochs], options),
    );
    return { hash, paidAtMost: cost + fee };
  }

  /** Refunds an upload that was never certified, once its deadline has passed. */
  reclaim(blobId: Hex, options: Options = {}) {
    return this.#market("reclaim", [blobId], options);
  }

  /** Devnet only: mints `amount` test tokens to the signer. */
  async faucet(amount: bigint, options: Options = {}) {
    return sendCall(
      this.publicClient,
      this.signer,
      {
        address: this.deployment.contracts.token,
        abi: strataTokenAbi,
        functionName: "faucet",
        args: [amount],
      },
      this.#sending(options),
    );
  }

  /** The signer's token balance. */
  async balance(account?: Address): Promise<bigint> {
    return readCall(this.publicClient, {
      address: this.deployment.contracts.token,
      abi: strataTokenAbi,
      functionName: "balanceOf",
      args: [account ?? (await this.address())],
    });
  }

  // operators

  /** Sends `wei` of the chain's native currency to a node's signing key, which pays the gas of its proofs. */
  async fundSigner(signer: Address, wei: bigint, options: Options = {}) {
    options.signal?.throwIfAborted();
    const sending = this.#sending(options);
    const hash = await sendTransaction(
      this.publicClient,
      this.signer,
      { to: signer, data: "0x", value: wei },
      sending,
    );
    await receiptOf(this.publicClient, hash, options.signal, sending.pollingIntervalMs);
    return { hash };
  }

  /** Registers a node operated by the signer; returns its id. */
  async registerNode(params: NodeParams, options: Options = {}): Promise<{ nodeId: number; hash: Hex }> {
    const { receipt, hash } = await this.#registry("register", [nodeParams(params)], options);
    const [event] = parseEventLogs({ abi: nodeRegistryAbi, logs: receipt.logs, eventName: "NodeRegistered" });
    if (!event)
      throw new StrataError("STRATA_ERR_CHAIN", "register succeeded without a NodeRegistered event");
    return { nodeId: Number(event.args.nodeId), hash };
  }

  updateNode(nodeId: number, params: NodeParams, options: Options = {}) {
    return this.#registry("update", [nodeId, nodeParams(params)], options);
  }

  /** Approves and stakes `amount` on `nodeId`. */
  async stake(nodeId: number, amount: bigint, options: Options = {}) {
    return this.#spending(amount, options, this.deployment.contracts.registry, () =>
      this.#registry("stake", [nodeId, amount], options),
    );
  }

  requestUnstake(nodeId: number, options: Options = {}) {
    return this.#registry("requestUnstake", [nodeId], options);
  }

  withdraw(nodeId: number, options: Options = {}) {
    return this.#registry("withdraw", [nodeId], options);
  }

  /**
   * Claims the node's pay on every blob it holds (found through the indexer) for closed, proven
   * periods; returns the amount paid.
   */
  async claim(nodeId: number, options: Options & { blobIds?: Hex[] } = {}) {
    let blobIds = options.blobIds;
    if (!blobIds) {
      blobIds = [];
      let after: string | undefined;
      do {
        const page = await this.indexer.blobs(
          { node: nodeId, limit: 100, ...(after ? { after } : {}) },
          options.signal,
        );
        blobIds.push(...page.blobs.map((blob) => blob.blobId as Hex));
        after = page.next ?? undefined;
      } while (after);
    }
    const holders: number[] = [];
    for (const blobId of blobIds) {
      const info = await this.#blob(blobId);
      const holder = info.holders.findIndex((h) => h.nodeId === nodeId);
      if (holder < 0) throw new InvalidArgumentError(`node ${nodeId} does not hold ${blobId}`);
      holders.push(holder);
    }
    const { hash, result } = await this.#market("claim", [nodeId, blobIds, holders], options);
    return { hash, amount: result as bigint, blobs: blobIds.length };
  }

  /** The market's record of a blob; a revert (an unknown blob) is a ContractRevertError. */
  #blob(blobId: Hex) {
    return readCall(this.publicClient, {
      address: this.deployment.contracts.market,
      abi: storageMarketAbi,
      functionName: "getBlob",
      args: [blobId],
    }) as Promise<ContractFunctionReturnType<typeof storageMarketAbi, "view", "getBlob">>;
  }

  /** Has `spender` approved for `amount` on top of this account's calls in flight, then runs `spend`. */
  async #spending<T>(
    amount: bigint,
    options: Options,
    spender: Address,
    spend: () => Promise<T>,
  ): Promise<T> {
    const owner = await this.address();
    const { result } = await this.#allowances.spending(
      this.publicClient,
      this.signer,
      { token: this.deployment.contracts.token, owner, spender, amount },
      spend,
      this.#sending(options),
    );
    return result;
  }

  #market(
    functionName: "deleteBlob" | "extend" | "reclaim" | "claim",
    args: readonly unknown[],
    options: Options,
  ) {
    return sendCall(
      this.publicClient,
      this.signer,
      { address: this.deployment.contracts.market, abi: storageMarketAbi, functionName, args } as never,
      this.#sending(options),
    );
  }

  #registry(
    functionName: "register" | "update" | "stake" | "requestUnstake" | "withdraw",
    args: readonly unknown[],
    options: Options,
  ) {
    return sendCall(
      this.publicClient,
      this.signer,
      { address: this.deployment.contracts.registry, abi: nodeRegistryAbi, functionName, args } as never,
      this.#sending(options),
    );
  }
}

function nodeParams(params: NodeParams) {
  const tiers = (params.tiers ?? ["hot"]).reduce((bits, tier) => bits | TierBit[tier], 0);
  return {
    signer: params.signer,
    endpoint: params.endpoint,
    peerId: params.peerId,
    multiaddrs: params.multiaddrs ?? [],
    tiers,
    capacity: params.capacity,
    pricePerByteEpoch: params.pricePerByteEpoch,
  };
}
