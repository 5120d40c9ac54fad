import { createPublicClient, http, type PublicClient, type WalletClient } from "viem";
import { createIndexerClient } from "../../api/indexer/index.ts";
import { type Deployment, strataChain } from "../../protocol/index.ts";
import { InvalidArgumentError } from "../errors.ts";
import { type AllowanceLedger, sharedAllowances } from "./allowance-ledger.ts";
import { type ChainSigner, type EthersSignerLike, toChainSigner } from "./chain-signer.ts";
import type { ClientContext } from "./client-context.ts";
import { DEFAULT_POLLING_INTERVAL_MS } from "./contract-calls.ts";
import { type Eip1193ProviderLike, eip1193Signer, isEip1193Provider } from "./eip1193-signer.ts";
import { type NonceSequencers, sharedNonces } from "./nonce-sequencer.ts";

export interface StrataClientOptions {
  deployment: Deployment;
  /** JSON-RPC endpoint for reads, simulations and receipts (or a ready PublicClient). */
  rpcUrl?: string;
  publicClient?: PublicClient;
  /**
   * Who signs: a viem WalletClient with an account (in a page, one over `custom(window.ethereum)`),
   * an ethers v6 Signer (in a page, `await new BrowserProvider(window.ethereum).getSigner()`), or an
   * EIP-1193 provider itself (`window.ethereum`: its first account, on the deployment's chain
   * only). Reads need none.
   */
  signer?: WalletClient | EthersSignerLike | Eip1193ProviderLike;
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

/**
 * The context every action takes (`upload(ctx, { source })`, `get(ctx, { cid })`, …), made from
 * the same options as a StrataClient. A page that uses a few actions imports them with this
 * instead of the client, and its bundler leaves the rest of the SDK out.
 *
 * @example
 * const ctx = createStrataContext({ deployment, rpcUrl, indexerUrl, signer: window.ethereum });
 * const { cid } = await upload(ctx, { source: input.files[0] });
 * const bytes = await get(ctx, { cid });
 */
export function createStrataContext(options: StrataClientOptions): ClientContext {
  if (!options.publicClient && !options.rpcUrl) throw new InvalidArgumentError("pass rpcUrl or publicClient");
  const polling = options.pollingIntervalMs ?? DEFAULT_POLLING_INTERVAL_MS;
  if (!Number.isFinite(polling) || polling < 1)
    throw new InvalidArgumentError("pollingIntervalMs must be a positive number");
  return {
    deployment: options.deployment,
    publicClient:
      options.publicClient ??
      (createPublicClient({ transport: http(options.rpcUrl), pollingInterval: polling }) as PublicClient),
    indexer: createIndexerClient({ baseUrl: options.indexerUrl }),
    signer: options.signer ? signerFrom(options.signer, options) : undefined,
    pollingIntervalMs: polling,
    nonces: options.nonces ?? sharedNonces,
    allowances: options.allowances ?? sharedAllowances,
  };
}

/** The ChainSigner of a client's `signer` option; an EIP-1193 provider signs on the deployment's chain only. */
function signerFrom(
  signer: NonNullable<StrataClientOptions["signer"]>,
  options: StrataClientOptions,
): ChainSigner {
  if (!isEip1193Provider(signer)) return toChainSigner(signer as WalletClient | EthersSignerLike);
  return eip1193Signer(signer, { chain: strataChain(options.deployment.chainId, options.rpcUrl ?? "") });
}
