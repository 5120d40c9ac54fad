import {
  type Abi,
  type Address,
  BaseError,
  type ContractFunctionArgs,
  type ContractFunctionName,
  ContractFunctionRevertedError,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { strataErrorsAbi, strataTokenAbi } from "#protocol";
import { ContractRevertError, StrataError } from "../errors.ts";
import type { ChainSigner } from "./chain-signer.ts";

/** The contract's custom error inside a viem error, or undefined. */
export function revertOf(error: unknown, functionName: string): ContractRevertError | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  const name = reverted.data?.errorName ?? reverted.reason ?? "unknown revert";
  return new ContractRevertError(functionName, name, reverted.data?.args ?? [], { cause: error });
}

/**
 * Sends one contract call: simulated first (a revert surfaces as a ContractRevertError with the
 * contract's error name, and nothing is sent), then signed by the signer, then awaited.
 */
export async function sendCall<
  const abi extends Abi,
  name extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(
  publicClient: PublicClient,
  signer: ChainSigner,
  call: {
    address: Address;
    abi: abi;
    functionName: name;
    args: ContractFunctionArgs<abi, "nonpayable" | "payable", name>;
  },
  options: { signal?: AbortSignal } = {},
): Promise<{ hash: Hex; receipt: TransactionReceipt; result: unknown }> {
  options.signal?.throwIfAborted();
  const account = await signer.address();
  const abi = [...call.abi, ...strataErrorsAbi] as Abi;
  let result: unknown;
  let gas: bigint;
  try {
    const simulated = await publicClient.simulateContract({
      address: call.address,
      abi,
      functionName: call.functionName as string,
      args: call.args as readonly unknown[],
      account,
    });
    result = simulated.result;
    gas = await publicClient.estimateContractGas({
      address: call.address,
      abi,
      functionName: call.functionName as string,
      args: call.args as readonly unknown[],
      account,
    });
  } catch (error) {
    throw revertOf(error, call.functionName) ?? chainError(call.functionName, error);
  }
  options.signal?.throwIfAborted();
  const data = encodeFunctionData({
    abi,
    functionName: call.functionName as string,
    args: call.args as readonly unknown[],
  });
  let hash: Hex;
  try {
    // a margin over the estimate: state may move between estimate and inclusion
    // the nonce from our own RPC: ethers' provider caches identical requests for a moment and
    // would hand back the nonce of the transaction just mined
    const nonce = await publicClient.getTransactionCount({ address: account, blockTag: "pending" });
    hash = await signer.sendTransaction({ to: call.address, data, gas: (gas * 12n) / 10n + 10_000n, nonce });
  } catch (error) {
    throw revertOf(error, call.functionName) ?? chainError(call.functionName, error);
  }
  const receipt = await receiptOf(publicClient, hash, options.signal);
  if (receipt.status !== "success") {
    throw new StrataError(
      "STRATA_ERR_REVERTED",
      `${call.functionName} reverted on chain (transaction ${hash})`,
    );
  }
  return { hash, receipt, result };
}

function chainError(functionName: string, error: unknown): StrataError {
  const message = error instanceof BaseError ? error.shortMessage : String(error);
  return new StrataError("STRATA_ERR_CHAIN", `${functionName}: ${message}`, { cause: error });
}

/**
 * The receipt of `hash`, asked for at once and then with backoff (10 ms doubling to 1 s): a fast
 * chain answers on the first try instead of after a polling interval.
 */
export async function receiptOf(
  publicClient: PublicClient,
  hash: Hex,
  signal?: AbortSignal,
): Promise<TransactionReceipt> {
  for (let wait = 10; ; wait = Math.min(wait * 2, 1_000)) {
    signal?.throwIfAborted();
    const receipt = await publicClient.getTransactionReceipt({ hash }).catch((error: unknown) => {
      if (error instanceof BaseError && error.name === "TransactionReceiptNotFoundError") return undefined;
      throw error;
    });
    if (receipt) return receipt;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Approves `spender` for `amount` of `token` unless the allowance already covers it; the approval's hash, if sent. */
export async function approveIfShort(
  publicClient: PublicClient,
  signer: ChainSigner,
  call: { token: Address; owner: Address; spender: Address; amount: bigint },
  options: { signal?: AbortSignal } = {},
): Promise<Hex | undefined> {
  const allowance = await publicClient.readContract({
    address: call.token,
    abi: strataTokenAbi,
    functionName: "allowance",
    args: [call.owner, call.spender],
  });
  if (allowance >= call.amount) return undefined;
  const { hash } = await sendCall(
    publicClient,
    signer,
    { address: call.token, abi: strataTokenAbi, functionName: "approve", args: [call.spender, call.amount] },
    options,
  );
  return hash;
}
