import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Hex,
  isHex,
  RawContractError,
} from "viem";
import { strataErrorsAbi } from "../../protocol/index.ts";
import { ContractRevertError, StrataError } from "../errors.ts";

/**
 * The contract's custom error inside a failed call (viem's, or an ethers error carrying revert
 * data), decoded by name against every Strata error; undefined if the failure was no revert.
 */
export function revertOf(error: unknown, functionName: string): ContractRevertError | undefined {
  if (error instanceof ContractRevertError) return error;
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      if (reverted.data?.errorName) {
        return new ContractRevertError(functionName, reverted.data.errorName, reverted.data.args ?? [], {
          cause: error,
        });
      }
      return (
        fromData(functionName, reverted.raw, error) ??
        new ContractRevertError(functionName, reverted.reason ?? "unknown revert", [], { cause: error })
      );
    }
    const raw = error.walk((e) => e instanceof RawContractError);
    if (raw instanceof RawContractError && typeof raw.data === "string")
      return fromData(functionName, raw.data, error);
    return undefined;
  }
  // ethers: `data` on the error, or on the RPC error it wraps
  const e = error as { data?: unknown; info?: { error?: { data?: unknown } } } | undefined;
  return fromData(functionName, e?.data ?? e?.info?.error?.data, error);
}

/** A Strata custom error from raw revert data, or undefined if the data is none of them. */
function fromData(functionName: string, data: unknown, cause: unknown): ContractRevertError | undefined {
  if (typeof data !== "string" || !isHex(data) || data.length < 10) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: strataErrorsAbi, data: data as Hex });
    return new ContractRevertError(functionName, decoded.errorName, decoded.args ?? [], { cause });
  } catch {
    return undefined;
  }
}

/** A failure to reach or use the chain (not a revert), kept as the cause. */
export function chainError(functionName: string, error: unknown): StrataError {
  const message =
    error instanceof BaseError ? error.shortMessage : String((error as Error)?.message ?? error);
  return new StrataError("STRATA_ERR_CHAIN", `${functionName}: ${message}`, { cause: error });
}

/** A contract call's failure as a StrataError: the decoded revert, or a chain error. */
export function contractError(functionName: string, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  return revertOf(error, functionName) ?? chainError(functionName, error);
}
