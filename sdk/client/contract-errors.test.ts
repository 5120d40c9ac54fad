import { BaseError, ContractFunctionRevertedError, encodeErrorResult, RawContractError } from "viem";
import { describe, expect, test } from "vitest";
import { nodeRegistryAbi, strataErrorsAbi } from "../../protocol/index.ts";
import { ContractRevertError, StrataError } from "../errors.ts";
import { contractError, revertOf } from "./contract-errors.ts";

const inactive = encodeErrorResult({
  abi: strataErrorsAbi,
  errorName: "NodeRegistryNodeInactive",
  args: [7],
});

describe("revertOf", () => {
  test("decodes a revert viem could not (the error is another contract's) by name", () => {
    // the market's ABI alone does not know the registry's error: viem leaves it undecoded
    const reverted = new ContractFunctionRevertedError({ abi: [], data: inactive, functionName: "quote" });
    const error = revertOf(new BaseError("call failed", { cause: reverted }), "quote");
    expect(error).toBeInstanceOf(ContractRevertError);
    expect(error?.errorName).toBe("NodeRegistryNodeInactive");
    expect(error?.args.map(Number)).toEqual([7]);
    expect(error?.code).toBe("STRATA_ERR_REVERTED");
    expect(error?.message).toBe("quote reverted: NodeRegistryNodeInactive(7)");
  });

  test("keeps what viem decoded, and decodes raw data and ethers errors", () => {
    const decoded = new ContractFunctionRevertedError({
      abi: nodeRegistryAbi,
      data: inactive,
      functionName: "stake",
    });
    expect(revertOf(decoded, "stake")?.errorName).toBe("NodeRegistryNodeInactive");
    expect(revertOf(new RawContractError({ data: inactive }), "x")?.errorName).toBe(
      "NodeRegistryNodeInactive",
    );
    const ethers = Object.assign(new Error("execution reverted"), { code: "CALL_EXCEPTION", data: inactive });
    expect(revertOf(ethers, "x")?.errorName).toBe("NodeRegistryNodeInactive");
    expect(revertOf(new Error("socket hang up"), "x")).toBeUndefined();
  });

  test("contractError: a failure that is no revert is a chain error, with its cause", () => {
    const cause = new Error("connect ECONNREFUSED");
    const error = contractError("getBlob", cause);
    expect(error).toBeInstanceOf(StrataError);
    expect(error.code).toBe("STRATA_ERR_CHAIN");
    expect(error.cause).toBe(cause);
  });
});
