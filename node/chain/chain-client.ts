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
  type TransactionReceipt,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import {
  type Deployment,
  nodeRegistryAbi,
  proofSystemAbi,
  storageMarketAbi,
  strataChain,
  strataErrorsAbi,
  strataTokenAbi,
} from "#protocol";
import { ChainUnavailableError } from "../errors.ts";
import type { Logger } from "../logger.ts";

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

/**
 * The node's view of the chain: contracts bound to the signing key, and one queue of
 * transactions (so nonces never race), each retried on transient RPC errors.
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
  readonly #logger: Logger;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: {
    rpcUrl: string;
    deployment: Deployment;
    signerKey: Hex;
    nodeId: number;
    logger: Logger;
  }) {
    const { rpcUrl, deployment, signerKey, nodeId, logger } = options;
    const chain = strataChain(deployment.chainId, rpcUrl);
    const transport = http(rpcUrl, { retryCount: 2, timeout: 15_000 });
    this.publicClient = createPublicClient({ chain, transport }) as PublicClient;
    this.account = privateKeyToAccount(signerKey);
    const wallet = createWalletClient({ account: this.account, chain, transport });
    const client = { public: this.publicClient, wallet };
    const { contracts } = deployment;
    this.market = getContract({ address: contracts.market, abi: withErrors(storageMarketAbi), client });
    this.proofs = getContract({ address: contracts.proofSystem, abi: withErrors(proofSystemAbi), client });
    this.registry = getContract({ address: contracts.registry, abi: withErrors(nodeRegistryAbi), client });
    this.token = getContract({ address: contracts.token, abi: withErrors(strataTokenAbi), client });
    this.deployment = deployment;
    this.nodeId = nodeId;
    this.#logger = logger.child({ component: "chain" });
  }

  /**
   * Sends the transaction `write` builds, after every earlier one, retrying transient failures
   * with backoff; resolves with the receipt, rejects on revert (the decoded custom error).
   */
  send(label: string, write: () => Promise<Hex>, options: { signal?: AbortSignal; attempts?: number } = {}) {
    const run = async (): Promise<TransactionReceipt> => {
      const attempts = options.attempts ?? 4;
      for (let attempt = 1; ; attempt += 1) {
        options.signal?.throwIfAborted();
        try {
          const hash = await write();
          const receipt = await this.publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });
          if (receipt.status !== "success") throw new Error(`${label}: transaction ${hash} reverted`);
          this.#logger.debug({ tx: hash, label, gas_used: Number(receipt.gasUsed) }, "transaction mined");
          return receipt;
        } catch (error) {
          if (!isTransient(error) || attempt >= attempts) throw error;
          this.#logger.warn({ label, attempt, err: error }, "transient chain error; retrying");
          await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        }
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
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
