import type { Address, Hex, PublicClient } from "viem";
import type { BlobQuery, IndexerClient } from "../../api/indexer/index.ts";
import type { Deployment } from "../../protocol/index.ts";
import { balance } from "../actions/balance.ts";
import { type ClaimReturnType, claim } from "../actions/claim.ts";
import { type DeleteBlobReturnType, deleteBlob } from "../actions/delete-blob.ts";
import { type ExtendReturnType, extend } from "../actions/extend.ts";
import { type FaucetReturnType, faucet } from "../actions/faucet.ts";
import { type FundSignerReturnType, fundSigner } from "../actions/fund-signer.ts";
import { type GetParameters, get } from "../actions/get.ts";
import { type ListReturnType, list } from "../actions/list.ts";
import { type MigrateParameters, type MigrateReturnType, migrate } from "../actions/migrate.ts";
import { type QuoteParameters, type QuoteReturnType, quote } from "../actions/quote.ts";
import { type ReclaimReturnType, reclaim } from "../actions/reclaim.ts";
import { type RegisterNodeReturnType, registerNode } from "../actions/register-node.ts";
import { type RequestUnstakeReturnType, requestUnstake } from "../actions/request-unstake.ts";
import { type SettleReturnType, settle } from "../actions/settle.ts";
import { type StakeReturnType, stake } from "../actions/stake.ts";
import { type StatusReturnType, status } from "../actions/status.ts";
import { type StreamParameters, stream } from "../actions/stream.ts";
import { type TransferReturnType, transfer } from "../actions/transfer.ts";
import { type UnclaimedPayReturnType, unclaimedPay } from "../actions/unclaimed-pay.ts";
import { type UpdateNodeReturnType, updateNode } from "../actions/update-node.ts";
import { upload } from "../actions/upload.ts";
import { type WithdrawReturnType, withdraw } from "../actions/withdraw.ts";
import { lockName } from "../names/lock-name.ts";
import { nameHistory } from "../names/name-history.ts";
import { type PublishNameParameters, publishName } from "../names/publish-name.ts";
import { type NameRef, type ResolveNameParameters, resolveName } from "../names/resolve-name.ts";
import {
  type OpenVaultParameters,
  openVault,
  type VaultClient,
  vaultClient,
} from "../vaults/vault-client.ts";
import type { ChainSigner } from "./chain-signer.ts";
import { type ClientContext, signerOf } from "./client-context.ts";
import type { NodeParams } from "./node-params.ts";
import { createStrataContext, type StrataClientOptions } from "./strata-context.ts";
import type { UploadOptions, UploadResult, UploadSource } from "./upload-types.ts";

export type { StrataClientOptions } from "./strata-context.ts";

type Options = { signal?: AbortSignal };

/**
 * Strata for dApps and operators: uploads through the market contract, verified reads routed by
 * the indexer, blob management, and the node operator's staking and pay. Each method binds one
 * action of `sdk/actions/` to this client's `context`. Every call takes an AbortSignal; every
 * failure is a StrataError with a stable code (contract reverts decoded by name).
 */
export class StrataClient {
  readonly deployment: Deployment;
  readonly publicClient: PublicClient;
  readonly indexer: IndexerClient;
  /** What the actions take: `upload(client.context, { source })` is `client.upload(source)`. */
  readonly context: ClientContext;
  /**
   * Names: mutable pointers anchored on chain and mirrored as IPNS (see `sdk/names/`).
   * `publish` moves the signer's name to a new target, `resolve` returns the anchored value,
   * `history` every update, `lock` freezes a name forever.
   */
  readonly names: {
    publish(
      label: string,
      target: string,
      options?: Omit<PublishNameParameters, "label" | "target">,
    ): ReturnType<typeof publishName>;
    resolve(name: NameRef, options?: Omit<ResolveNameParameters, "name">): ReturnType<typeof resolveName>;
    history(
      name: NameRef,
      options?: { limit?: number; before?: string; signal?: AbortSignal },
    ): ReturnType<typeof nameHistory>;
    lock(label: string, options?: Options): ReturnType<typeof lockName>;
  };

  /**
   * Vaults: a user's live files and collections on a node of their choice, snapshotted into the
   * network, restored and migrated (see `sdk/vaults/`). `open` pays for one, `get` reaches one.
   */
  readonly vaults: {
    open(params: OpenVaultParameters): ReturnType<typeof openVault>;
    get(vaultId: number): VaultClient;
  };

  constructor(options: StrataClientOptions) {
    this.context = createStrataContext(options);
    this.deployment = this.context.deployment;
    this.publicClient = this.context.publicClient;
    this.indexer = this.context.indexer;
    const ctx = this.context;
    this.names = {
      publish: (label, target, opts = {}) => publishName(ctx, { ...opts, label, target }),
      resolve: (name, opts = {}) => resolveName(ctx, { ...opts, name }),
      history: (name, opts = {}) => nameHistory(ctx, { ...opts, name }),
      lock: (label, opts = {}) => lockName(ctx, { ...opts, label }),
    };
    this.vaults = {
      open: (params) => openVault(ctx, params),
      get: (vaultId) => vaultClient(ctx, vaultId),
    };
  }

  /** The signer; an InvalidArgumentError if the client has none. */
  get signer(): ChainSigner {
    return signerOf(this.context);
  }

  /** The signer's address. */
  address(): Promise<Address> {
    return this.signer.address();
  }

  /** Uploads a blob (bytes, a file path or a stream) and returns once it is certified on chain. */
  upload(source: UploadSource, options: UploadOptions = {}): Promise<UploadResult> {
    return upload(this.context, { ...options, source });
  }

  /** The verified bytes of `cid`, streamed, failing over between the nodes the indexer routes to. */
  stream(cid: string, options: Omit<StreamParameters, "cid"> = {}): AsyncGenerator<Uint8Array> {
    return stream(this.context, { ...options, cid });
  }

  /** The verified bytes of `cid`, whole. */
  get(cid: string, options: Omit<GetParameters, "cid"> = {}): Promise<Uint8Array> {
    return get(this.context, { ...options, cid });
  }

  /** Moves a blob between the tiers (see the `migrate` action). */
  migrate(blobId: Hex, options: DistributiveOmit<MigrateParameters, "blobId">): Promise<MigrateReturnType> {
    return migrate(this.context, { ...options, blobId });
  }

  /** A blob as the chain has it now, with what the indexer knows (name, tags, holders). */
  status(blobId: Hex, options: Options = {}): Promise<StatusReturnType> {
    return status(this.context, { ...options, blobId });
  }

  /** Blobs from the indexer (default: the signer's own), newest first, one page. */
  list(query: BlobQuery = {}, options: Options = {}): Promise<ListReturnType> {
    return list(this.context, { ...query, ...options });
  }

  /** Price of storing `size` bytes on `nodes` (or the `replicas` best) for `epochs`, plus the fee. */
  quote(request: Omit<QuoteParameters, "signal">, options: Options = {}): Promise<QuoteReturnType> {
    return quote(this.context, { ...request, ...options });
  }

  /** Ends a blob on chain and asks its nodes to drop their copies; returns the nodes that confirmed. */
  delete(blobId: Hex, options: Options = {}): Promise<DeleteBlobReturnType> {
    return deleteBlob(this.context, { ...options, blobId });
  }

  /** Pays for `epochs` more epochs at the holders' recorded prices. */
  extend(blobId: Hex, epochs: number, options: Options = {}): Promise<ExtendReturnType> {
    return extend(this.context, { ...options, blobId, epochs });
  }

  /** Refunds an upload that was never certified, once its deadline has passed. */
  reclaim(blobId: Hex, options: Options = {}): Promise<ReclaimReturnType> {
    return reclaim(this.context, { ...options, blobId });
  }

  /** Closes a blob whose term has ended: holders credited, the rest refunded to the owner. Anyone may call it. */
  settle(blobId: Hex, options: Options = {}): Promise<SettleReturnType> {
    return settle(this.context, { ...options, blobId });
  }

  /** Devnet only: mints `amount` test tokens to the signer. */
  faucet(amount: bigint, options: Options = {}): Promise<FaucetReturnType> {
    return faucet(this.context, { ...options, amount });
  }

  /** Sends `amount` token base units from the signer to `to`. */
  transfer(to: Address, amount: bigint, options: Options = {}): Promise<TransferReturnType> {
    return transfer(this.context, { ...options, to, amount });
  }

  /** The token balance of `account`, by default the signer's. */
  balance(account?: Address): Promise<bigint> {
    return balance(this.context, account ? { account } : {});
  }

  // operators

  /** Sends `wei` of the chain's native currency to a node's signing key, which pays the gas of its proofs. */
  fundSigner(
    signer: Address,
    wei: bigint,
    options: Options & { tokens?: bigint } = {},
  ): Promise<FundSignerReturnType> {
    return fundSigner(this.context, { ...options, nodeSigner: signer, wei });
  }

  /** Registers a node operated by the signer; returns its id. */
  registerNode(params: NodeParams, options: Options = {}): Promise<RegisterNodeReturnType> {
    return registerNode(this.context, { ...params, ...options });
  }

  /** Replaces a registered node's parameters. */
  updateNode(nodeId: number, params: NodeParams, options: Options = {}): Promise<UpdateNodeReturnType> {
    return updateNode(this.context, { ...params, ...options, nodeId });
  }

  /** Approves and stakes `amount` on `nodeId`. */
  stake(nodeId: number, amount: bigint, options: Options = {}): Promise<StakeReturnType> {
    return stake(this.context, { ...options, nodeId, amount });
  }

  /** Starts the unbonding of a node's stake. */
  requestUnstake(nodeId: number, options: Options = {}): Promise<RequestUnstakeReturnType> {
    return requestUnstake(this.context, { ...options, nodeId });
  }

  /** Pays a node's stake back once its unbonding delay has passed. */
  withdraw(nodeId: number, options: Options = {}): Promise<WithdrawReturnType> {
    return withdraw(this.context, { ...options, nodeId });
  }

  /** What a claim would pay the node's operator now (simulated: nothing is sent). */
  unclaimedPay(nodeId: number, options: Options & { blobIds?: Hex[] } = {}): Promise<UnclaimedPayReturnType> {
    return unclaimedPay(this.context, { ...options, nodeId });
  }

  /** Claims the node's pay on the blobs it holds for closed, proven periods; returns the amount paid. */
  claim(nodeId: number, options: Options & { blobIds?: Hex[] } = {}): Promise<ClaimReturnType> {
    return claim(this.context, { ...options, nodeId });
  }
}

/** `Omit` over each member of a union (migrate's parameters are one per direction). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
