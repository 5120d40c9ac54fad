import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
} from "viem";
import { describe, expect, test } from "vitest";
import { proofSystemAbi, strataErrorsAbi } from "#protocol";
import { CodedError } from "./coded-error.ts";
import { serializeError } from "./logger.ts";

const abi = [...proofSystemAbi, ...strataErrorsAbi];

class ChainUnavailableError extends CodedError {
  override name = "ChainUnavailableError";
  constructor(cause: unknown) {
    super("NODE_ERR_CHAIN_UNAVAILABLE", 503, "the chain could not be reached", { cause });
  }
}

/** What viem throws when `enroll` reverts with ProofsNodeDropped(7). */
function droppedRevert() {
  const data = encodeErrorResult({ abi, errorName: "ProofsNodeDropped", args: [7] });
  const reverted = new ContractFunctionRevertedError({ abi, data, functionName: "enroll" });
  return new ContractFunctionExecutionError(reverted, {
    abi,
    functionName: "enroll",
    args: [7, [`0x${"ab".repeat(32)}`], [0]],
    contractAddress: `0x${"12".repeat(20)}`,
    sender: `0x${"34".repeat(20)}`,
  });
}

describe("serializeError", () => {
  test("a contract revert: short message, decoded error name and arguments, one short line", () => {
    const error = droppedRevert();
    const logged = serializeError(error);
    expect(logged).toMatchObject({
      type: "ContractFunctionExecutionError",
      error_name: "ProofsNodeDropped",
      args: [7],
    });
    expect(String(logged.message)).not.toContain("\n");
    const line = JSON.stringify(logged);
    // viem's own message carries the call, the arguments, the sender and the docs link
    expect(error.message.length).toBeGreaterThan(line.length);
    expect(line).not.toContain("Contract Call:");
    expect(line.length).toBeLessThan(600);
  });

  test("a viem transport error: details cut to about 200 characters, no request dump", () => {
    const error = new HttpRequestError({
      url: "http://127.0.0.1:8545",
      body: { method: "eth_call", params: ["x".repeat(5000)] },
      details: `connect ECONNREFUSED ${"y".repeat(1000)}`,
    });
    const logged = serializeError(error);
    expect(logged.type).toBe("HttpRequestError");
    expect(String(logged.details).length).toBeLessThanOrEqual(200);
    expect(JSON.stringify(logged)).not.toContain("x".repeat(100));
  });

  test("any other error: type, message, code, three lines of stack, the cause the same way", () => {
    const error = new ChainUnavailableError(droppedRevert());
    const logged = serializeError(error);
    expect(logged).toMatchObject({
      type: "ChainUnavailableError",
      message: "the chain could not be reached",
      code: "NODE_ERR_CHAIN_UNAVAILABLE",
      cause: { type: "ContractFunctionExecutionError", error_name: "ProofsNodeDropped" },
    });
    expect(String(logged.stack).split("\n")).toHaveLength(3);
    expect(serializeError("plain text")).toEqual({ type: "string", message: "plain text" });
  });
});
