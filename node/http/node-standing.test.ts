import { ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult } from "viem";
import { describe, expect, test } from "vitest";
import { proofSystemAbi, strataErrorsAbi } from "#protocol";
import { createLogger } from "../../service/logger.ts";
import { ChainRefusedError, NodeDroppedError, NodeInactiveError, nodeErrorOfRevert } from "../errors.ts";
import { NodeStanding, type Standing } from "./node-standing.ts";

const abi = [...proofSystemAbi, ...strataErrorsAbi];
const logger = createLogger("silent");

function revert(errorName: string, args: readonly unknown[]) {
  const data = encodeErrorResult({ abi, errorName, args } as Parameters<typeof encodeErrorResult>[0]);
  const reverted = new ContractFunctionRevertedError({ abi, data, functionName: "enroll" });
  return new ContractFunctionExecutionError(reverted, {
    abi,
    functionName: "enroll",
    args: [3, [`0x${"ab".repeat(32)}`], [0]],
  });
}

/** A standing read from a chain the test sets, counting reads. */
function chainOf(initial: Standing) {
  const chain = { standing: initial as Standing | Error, reads: 0 };
  const read = async () => {
    chain.reads += 1;
    if (chain.standing instanceof Error) throw chain.standing;
    return chain.standing;
  };
  return { chain, read };
}

describe("NodeStanding", () => {
  test("an active node accepts; the standing is read at most once per refresh time", async () => {
    const { chain, read } = chainOf("active");
    const standing = new NodeStanding({ read, nodeId: 3, logger, refreshMs: 60_000 });
    await Promise.all([standing.assertAccepting(), standing.assertAccepting()]);
    await standing.assertAccepting();
    expect(chain.reads).toBe(1);
  });

  test("dropped and inactive nodes refuse with their codes; a new read follows the refresh time", async () => {
    const { chain, read } = chainOf("inactive");
    const standing = new NodeStanding({ read, nodeId: 3, logger, refreshMs: 20 });
    await expect(standing.assertAccepting()).rejects.toBeInstanceOf(NodeInactiveError);
    chain.standing = "active";
    await new Promise((resolve) => setTimeout(resolve, 30));
    await standing.assertAccepting();
    chain.standing = "dropped";
    await new Promise((resolve) => setTimeout(resolve, 30));
    await expect(standing.assertAccepting()).rejects.toMatchObject({
      code: "NODE_ERR_NODE_DROPPED",
      statusCode: 503,
    });
  });

  test("markDropped and a refused enrolment take effect at once, and a drop is for good", async () => {
    const { chain, read } = chainOf("active");
    const standing = new NodeStanding({ read, nodeId: 3, logger, refreshMs: 60_000 });
    await standing.assertAccepting();
    standing.markDropped();
    await expect(standing.assertAccepting()).rejects.toBeInstanceOf(NodeDroppedError);

    const other = new NodeStanding({ read, nodeId: 3, logger, refreshMs: 1 });
    await other.assertAccepting();
    other.observe(revert("ProofsNodeDropped", [3]));
    chain.standing = "active";
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(other.assertAccepting()).rejects.toBeInstanceOf(NodeDroppedError);
  });

  test("an unreadable chain keeps the last standing known", async () => {
    const { chain, read } = chainOf("inactive");
    const standing = new NodeStanding({ read, nodeId: 3, logger, refreshMs: 1 });
    await expect(standing.assertAccepting()).rejects.toBeInstanceOf(NodeInactiveError);
    chain.standing = new Error("ECONNREFUSED");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(standing.assertAccepting()).rejects.toBeInstanceOf(NodeInactiveError);
  });
});

describe("nodeErrorOfRevert", () => {
  test("maps the chain's refusals to coded errors", () => {
    expect(nodeErrorOfRevert(revert("ProofsNodeDropped", [3]))).toMatchObject({
      code: "NODE_ERR_NODE_DROPPED",
      statusCode: 503,
      message: expect.stringContaining("node 3"),
    });
    expect(nodeErrorOfRevert(revert("NodeRegistryNodeInactive", [3]))).toBeInstanceOf(NodeInactiveError);
    const other = nodeErrorOfRevert(revert("ProofsCannotEnroll", [3, `0x${"ab".repeat(32)}`]));
    expect(other).toBeInstanceOf(ChainRefusedError);
    expect(other).toMatchObject({ statusCode: 409, message: expect.stringContaining("ProofsCannotEnroll") });
    expect(nodeErrorOfRevert(new Error("not a revert"))).toBeUndefined();
  });
});
