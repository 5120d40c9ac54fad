import {
  type Abi,
  type Address,
  BaseError,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { strataErrorsAbi } from "../../protocol/index.ts";
import { StrataError } from "../errors.ts";
import type { ChainSigner } from "./chain-signer.ts";
import { contractError, revertOf } from "./contract-errors.ts";
import { type NonceSequencers, sharedNonces } from "./nonce-sequencer.ts";

export { revertOf } from "./contract-errors.ts";

/** How calls that sign wait: the receipt polling cap and the nonce sequencers to draw from. */
export interface SendOptions {
  signal?: AbortSignal;
  /** Longest wait between two receipt polls (default 500 ms; the first polls come faster). */
  pollingIntervalMs?: number;
  /** Nonce sequencers (default: the process-wide ones, shared by every client). */
  nonces?: NonceSequencers;
}

export const DEFAULT_POLLING_INTERVAL_MS = 500;

/** The ABI with every Strata custom error appended, so a revert from any contract decodes. */
function withErrors(abi: Abi): Abi {
  return [...abi, ...strataErrorsAbi] as Abi;
}

/** A contract call: the address, the ABI, and a function of it with arguments the ABI checks. */
export interface ContractCall<
  abi extends Abi,
  mutability extends "pure" | "view" | "nonpayable" | "payable",
  name extends ContractFunctionName<abi, mutability>,
> {
  address: Address;
  abi: abi;
  functionName: name;
  args: ContractFunctionArgs<abi, mutability, name>;
}

/** What a sent call left: its hash, its receipt and the result its simulation returned. */
export interface SentCall<result = unknown> {
  hash: Hex;
  receipt: TransactionReceipt;
  result: result;
}

/** A contract read; a revert comes back as a ContractRevertError with the custom error's name and args. */
export async function readCall<
  const abi extends Abi,
  name extends ContractFunctionName<abi, "pure" | "view">,
>(
  publicClient: PublicClient,
  call: ContractCall<abi, "pure" | "view", name>,
): Promise<ContractFunctionReturnType<abi, "pure" | "view", name>> {
  try {
    return (await publicClient.readContract({
      address: call.address,
      abi: withErrors(call.abi),
      functionName: call.functionName as string,
      args: call.args as readonly unknown[],
    })) as ContractFunctionReturnType<abi, "pure" | "view", name>;
  } catch (error) {
    throw contractError(call.functionName, error);
  }
}

/**
 * Sends one contract call: simulated first (a revert surfaces as a ContractRevertError with the
 * contract's error name, and nothing is sent), then signed with the account's next nonce, then
 * awaited.
 */
export async function sendCall<
  const abi extends Abi,
  name extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(
  publicClient: PublicClient,
  signer: ChainSigner,
  call: ContractCall<abi, "nonpayable" | "payable", name>,
  options: SendOptions = {},
): Promise<SentCall<ContractFunctionReturnType<abi, "nonpayable" | "payable", name>>> {
  options.signal?.throwIfAborted();
  const account = await signer.address();
  const request = {
    address: call.address,
    abi: withErrors(call.abi),
    functionName: call.functionName as string,
    args: call.args as readonly unknown[],
    account,
  };
  let result: unknown;
  let gas: bigint;
  try {
    result = (await publicClient.simulateContract(request)).result;
    gas = await publicClient.estimateContractGas(request);
  } catch (error) {
    throw contractError(call.functionName, error);
  }
  const data = encodeFunctionData(request);
  // a margin over the estimate: state may move between estimate and inclusion (a storage slot
  // written from zero, as an approval after the allowance was spent, costs 20k more)
  const hash = await sendTransaction(
    publicClient,
    signer,
    { to: call.address, data, gas: (gas * 13n) / 10n + 30_000n },
    options,
  ).catch((error: unknown) => {
    throw contractError(call.functionName, error);
  });
  const receipt = await receiptOf(publicClient, hash, options.signal, options.pollingIntervalMs);
  if (receipt.status !== "success") throw await revertedOnChain(publicClient, request, receipt, hash);
  return { hash, receipt, result: result as ContractFunctionReturnType<abi, "nonpayable" | "payable", name> };
}

/** Why a mined transaction reverted: the call replayed on the state its block left, decoded if it reverts there. */
async function revertedOnChain(
  publicClient: PublicClient,
  request: Parameters<PublicClient["simulateContract"]>[0],
  receipt: TransactionReceipt,
  hash: Hex,
): Promise<StrataError> {
  const replayed = await publicClient
    .simulateContract({ ...request, blockNumber: receipt.blockNumber } as typeof request)
    .then(
      () => undefined,
      (error: unknown) => revertOf(error, request.functionName),
    );
  return (
    replayed ??
    new StrataError("STRATA_ERR_REVERTED", `${request.functionName} reverted on chain (transaction ${hash})`)
  );
}

/**
 * Signs and sends a transaction with the account's next nonce from its sequencer (one per chain
 * and account, shared across clients), so parallel sends from one account do not collide.
 */
export async function sendTransaction(
  publicClient: PublicClient,
  signer: ChainSigner,
  tx: { to: Address; data: Hex; gas?: bigint; value?: bigint },
  options: SendOptions = {},
): Promise<Hex> {
  const address = await signer.address();
  const chainId = publicClient.chain?.id ?? (await publicClient.getChainId());
  const sequencer = (options.nonces ?? sharedNonces).for(chainId, address);
  // the count from our own RPC: ethers' provider caches identical requests for a moment and
  // would hand back the nonce of the transaction just mined
  const pending = () => publicClient.getTransactionCount({ address, blockTag: "pending" });
  return sequencer.send(pending, (nonce) => signer.sendTransaction({ ...tx, nonce }), {
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * The receipt of `hash`, asked for at once and then with backoff (10 ms doubling up to
 * `pollingIntervalMs`): a fast chain answers on the first tries, a slow one is polled at about
 * its block speed rather than viem's 4 s.
 */
export async function receiptOf(
  publicClient: PublicClient,
  hash: Hex,
  signal?: AbortSignal,
  pollingIntervalMs = DEFAULT_POLLING_INTERVAL_MS,
): Promise<TransactionReceipt> {
  for (let wait = 10; ; wait = Math.min(wait * 2, pollingIntervalMs)) {
    signal?.throwIfAborted();
    const receipt = await publicClient.getTransactionReceipt({ hash }).catch((error: unknown) => {
      if (error instanceof BaseError && error.name === "TransactionReceiptNotFoundError") return undefined;
      throw error;
    });
    if (receipt) return receipt;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
