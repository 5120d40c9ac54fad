import { BaseError, ContractFunctionRevertedError } from "viem";

/** The custom error a contract reverted with, decoded, wherever it sits in `error`'s causes. */
export function contractRevert(error: unknown): { name: string; args: readonly unknown[] } | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  if (reverted.data) return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  return {
    name: reverted.reason ? "Error" : (reverted.signature ?? "unknown"),
    args: [reverted.reason ?? ""],
  };
}
