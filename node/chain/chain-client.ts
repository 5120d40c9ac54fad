import { setTimeout as sleep } from "node:timers/promises";
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  getContract,
  type Hex,
  HttpRequestError,
  http,
  type PublicClient,
  TimeoutError,
  TransactionNotFoundError,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import {
  type Deployment,
  nameRegistryAbi,
  nodeRegistryAbi,
  proofSystemAbi,
  storageMarketAbi,
  strataChain,
  strataErrorsAbi,
  strataTokenAbi,
  vaultRegistryAbi,
} from "#protocol";
import type { Logger } from "../../service/logger.ts";
import { ChainUnavailableError, TransactionDroppedError, TransactionRevertedError } from "../errors.ts";

function withErrors<const T extends readonly unknown[]>(abi: T) {
  return [...abi, ...strataErrorsAbi] as unknown as T;
}

/** Whether an error is worth retrying: the RPC was unreachable or slow, not a revert. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false;
  if (error.walk((e) => e instanceof ContractFunctionRevertedError)) return false;
  return Boolean(
    error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) ||
      /nonce too low|replacement transaction underpriced|ECONNREFUSED|fetch failed/i.test(error.message),
  );
}

/** The name of the custom error a contract call reverted with, if it reverted with one. */
export function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

/** Backoff before retry `attempt` (1-based): 250 ms doubling, at most 8 s. */
export function backoffMs(attempt: number): number {
  return Math.min(8_000, 250 * 2 ** Math.max(0, attempt - 1));
}

export interface ChainClientOptions {
  rpcUrl: string;
  deployment: Deployment;
  signerKey: Hex;
  nodeId: number;
  logger: Logger;
  /** How often receipts and blocks are polled for. */
  pollingMs?: number;
  /** A transaction without a receipt this long is taken as dropped (a reorg) and sent again. */
  receiptTimeoutMs?: number;
}

/**
 * The node's view of the chain: contracts bound to the signing key, and one queue of
 * transactions (so nonces never race), each retried on transient RPC errors and on receipts
 * that never come, with bounded backoff.
 */
export class ChainClient {
  readonly publicClient: PublicClient;
  readonly account: PrivateKeyAccount;
  readonly deployment: Deployment;
  readonly nodeId: number;
  readonly market;
  readonly proofs;
  readonly registry;
  readonly token;
  readonly names;
  readonly vaults;
  readonly #logger: Logger;
  readonly #receiptTimeoutMs: number;
  readonly #pollingMs: number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ChainClientOptions) {
    const { rpcUrl, deployment, signerKey, nodeId, logger } = options;
    const chain = strataChain(deployment.chainId, rpcUrl);
    const transport = http(rpcUrl, { retryCount: 2, timeout: 15_000 });
    const pollingInterval = options.pollingMs ?? 500;
    this.#pollingMs = pollingInterval;
    this.#receiptTimeoutMs = options.receiptTimeoutMs ?? 30_000;
    this.publicClient = createPublicClient({ chain, transport, pollingInterval }) as PublicClient;
    this.account = privateKeyToAccount(signerKey);
    const wallet = createWalletClient({ account: this.account, chain, transport });
    const client = { public: this.publicClient, wallet };
    const { contracts } = deployment;
    this.market = getContract({ address: contracts.market, abi: withErrors(storageMarketAbi), client });
    this.proofs = getContract({ address: contracts.proofSystem, abi: withErrors(proofSystemAbi), client });
    this.registry = getContract({ address: contracts.registry, abi: withErrors(nodeRegistryAbi), client });
    this.token = getContract({ address: contracts.token, abi: withErrors(strataTokenAbi), client });
    this.names = getContract({ address: contracts.names, abi: withErrors(nameRegistryAbi), client });
    this.vaults = getContract({ address: contracts.vaults, abi: withErrors(vaultRegistryAbi), client });
    this.deployment = deployment;
    this.nodeId = nodeId;
    this.#logger = logger.child({ component: "chain" });
  }

  /**
   * Sends the transaction `write` builds, after every earlier one; resolves with the receipt,
   * rejects on revert (the decoded custom error). Transient RPC errors, and a receipt that does
   * not come within the receipt timeout (the transaction was dropped, e.g. by a reorg), are
   * retried with backoff: `write` is called again, so the transaction goes out with a fresh
   * nonce. At most `attempts` tries and `maxMs` milliseconds in all.
   */
  send(
    label: string,
    write: () => Promise<Hex>,
    options: { signal?: AbortSignal | undefined; attempts?: number; maxMs?: number } = {},
  ) {
    const { signal } = options;
    const attempts = options.attempts ?? 4;
    const deadline = Date.now() + (options.maxMs ?? 4 * this.#receiptTimeoutMs);
    const run = async (): Promise<TransactionReceipt> => {
      for (let attempt = 1; ; attempt += 1) {
        signal?.throwIfAborted();
        try {
          return await this.#sendOnce(label, write);
        } catch (error) {
          const retryable =
            isTransient(error) ||
            error instanceof TransactionDroppedError ||
            error instanceof WaitForTransactionReceiptTimeoutError;
          const wait = backoffMs(attempt);
          if (!retryable || attempt >= attempts || Date.now() + wait > deadline) throw error;
          this.#logger.warn(
            { label, attempt, retry_in_ms: wait, err: error },
            "transaction failed; retrying",
          );
          await sleep(wait, undefined, { signal });
        }
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #sendOnce(label: string, write: () => Promise<Hex>): Promise<TransactionReceipt> {
    const hash = await write();
    const receipt = await this.#receipt(label, hash);
    if (receipt.status !== "success") throw new TransactionRevertedError(label, hash);
    this.#logger.debug({ tx: hash, label, gas_used: Number(receipt.gasUsed) }, "transaction mined");
    return receipt;
  }

  /**
   * The receipt of `hash`, polled at block speed. A transaction the chain no longer knows (a
   * reorg took its block and the node dropped it) fails with TransactionDroppedError at once, one
   * still pending fails at the receipt timeout: either way it is sent again.
   */
  async #receipt(label: string, hash: Hex): Promise<TransactionReceipt> {
    const deadline = Date.now() + this.#receiptTimeoutMs;
    for (let poll = 1; ; poll += 1) {
      try {
        return await this.publicClient.getTransactionReceipt({ hash });
      } catch (error) {
        if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
      }
      if (poll % 4 === 0 && !(await this.#known(hash))) throw new TransactionDroppedError(label, hash);
      if (Date.now() > deadline) throw new WaitForTransactionReceiptTimeoutError({ hash });
      await sleep(this.#pollingMs);
    }
  }

  async #known(hash: Hex): Promise<boolean> {
    try {
      await this.publicClient.getTransaction({ hash });
      return true;
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return false;
      throw error;
    }
  }

  /**
   * Gas for a transaction about to be sent: the estimate plus a margin, because state can move
   * before it is mined (a new period rolls the node's book; another holder enrolls first), and a
   * transaction sent with the bare estimate then runs out of gas.
   */
  async gasFor(estimate: (options: { account: PrivateKeyAccount }) => Promise<bigint>): Promise<bigint> {
    return ((await estimate({ account: this.account })) * 13n) / 10n + 20_000n;
  }

  /** Runs a read, mapping an unreachable chain to a 503 error. */
  async read<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (isTransient(error)) throw new ChainUnavailableError(error);
      throw error;
    }
  }
}
