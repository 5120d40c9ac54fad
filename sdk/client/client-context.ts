import type { PublicClient } from "viem";
import type { IndexerClient } from "../../api/indexer/index.ts";
import type { Deployment } from "../../protocol/index.ts";
import { InvalidArgumentError } from "../errors.ts";
import type { AllowanceLedger } from "./allowance-ledger.ts";
import type { ChainSigner } from "./chain-signer.ts";
import type { SendOptions } from "./contract-calls.ts";
import type { NonceSequencers } from "./nonce-sequencer.ts";

/**
 * What every action works with: the deployment, a PublicClient for reads, simulations and
 * receipts, the indexer, and, for calls that sign, the signer with its nonce sequencers and
 * allowance ledger. `StrataClient.context` is one.
 */
export interface ClientContext {
  deployment: Deployment;
  publicClient: PublicClient;
  indexer: IndexerClient;
  /** Who signs; a read-only client has none. */
  signer?: ChainSigner | undefined;
  /** Longest wait between receipt polls (default 500 ms). */
  pollingIntervalMs?: number;
  /** Nonce sequencers and allowance ledger (default: the process-wide ones). */
  nonces?: NonceSequencers;
  allowances?: AllowanceLedger;
}

/** A context with a signer: what calls that send transactions take. */
export type SigningContext = ClientContext & { signer: ChainSigner };

/** Options every action takes. */
export interface ActionOptions {
  signal?: AbortSignal;
}

/** The context's signer; an InvalidArgumentError if the client has none. */
export function signerOf(ctx: Pick<ClientContext, "signer">): ChainSigner {
  if (!ctx.signer) throw new InvalidArgumentError("this call signs a transaction: give the client a signer");
  return ctx.signer;
}

/** `ctx` with its signer required: throws an InvalidArgumentError if it has none. */
export function signing(ctx: ClientContext): SigningContext {
  return { ...ctx, signer: signerOf(ctx) };
}

/** How calls that sign send and wait: the signal, the polling cap and the nonce sequencers. */
export function sendOptionsOf(
  ctx: Pick<ClientContext, "pollingIntervalMs" | "nonces">,
  signal?: AbortSignal,
): SendOptions {
  return {
    ...(signal ? { signal } : {}),
    ...(ctx.pollingIntervalMs ? { pollingIntervalMs: ctx.pollingIntervalMs } : {}),
    ...(ctx.nonces ? { nonces: ctx.nonces } : {}),
  };
}
