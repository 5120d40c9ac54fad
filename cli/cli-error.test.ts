import { HttpRequestError } from "viem";
import { describe, expect, test } from "vitest";
import { ServiceError } from "../api/service-error.ts";
import { ContractRevertError, StrataError } from "../sdk/errors.ts";
import {
  CliError,
  chainUnreachable,
  ExitCode,
  errorLine,
  exitCodeOf,
  isChainUnreachable,
  UsageError,
} from "./cli-error.ts";

const refused = new HttpRequestError({
  url: "http://127.0.0.1:9",
  body: { method: "eth_chainId" },
  details: "fetch failed",
  cause: Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
});

describe("CLI errors", () => {
  test("an unreachable chain is exit 5 and one line naming the endpoint and the fix", () => {
    expect(isChainUnreachable(refused)).toBe(true);
    expect(exitCodeOf(refused)).toBe(ExitCode.unreachable);
    const line = errorLine(refused, { rpcUrl: "http://127.0.0.1:9" });
    expect(line).toMatch(/^no JSON-RPC answer from http:\/\/127.0.0.1:9 \(ECONNREFUSED\): start the chain/);
    expect(line).not.toContain("\n");
    expect(chainUnreachable("http://x", refused).exitCode).toBe(5);
    // the SDK's wrapping of it too
    const wrapped = new StrataError("STRATA_ERR_CHAIN", "register: HTTP request failed.", { cause: refused });
    expect(exitCodeOf(wrapped)).toBe(ExitCode.unreachable);
  });

  test("an unreachable indexer names --indexer and strata indexer start", () => {
    const error = new ServiceError(
      { service: "indexer" },
      { status: 0, code: "API_ERR_UNREACHABLE", message: "unreachable: fetch failed (ECONNREFUSED)" },
    );
    expect(exitCodeOf(error)).toBe(ExitCode.unreachable);
    expect(errorLine(error, { indexerUrl: "http://127.0.0.1:9200" })).toMatch(
      /cannot reach the indexer at http:\/\/127.0.0.1:9200 \(ECONNREFUSED\): start one \(strata indexer start\)/,
    );
  });

  test("codes: usage 2, refused 4, CliError its own", () => {
    expect(exitCodeOf(new UsageError("x"))).toBe(2);
    expect(exitCodeOf(new ContractRevertError("stake", "NodeRegistryUnbonding", [1n]))).toBe(4);
    expect(exitCodeOf(new CliError("STRATA_ERR_X", 3, "y"))).toBe(3);
    expect(exitCodeOf(new Error("boom"))).toBe(1);
  });

  test("a multi-line message comes out on one line", () => {
    expect(errorLine(new Error("first\n  second\nthird"))).toBe("first second third");
  });
});
