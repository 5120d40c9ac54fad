import { BaseError, ContractFunctionRevertedError } from "viem";
import { expect } from "vitest";

/**
 * Awaits `action`, expects it to revert with the custom error `errorName` and, when given,
 * exactly `args`. Returns the decoded arguments.
 */
export async function expectRevert(
  action: Promise<unknown>,
  errorName: string,
  args?: readonly unknown[],
): Promise<readonly unknown[]> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a revert with ${errorName}`).toBeInstanceOf(BaseError);
  const reverted = (caught as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
  expect(reverted, `expected a contract revert, got: ${(caught as Error).message}`).toBeInstanceOf(
    ContractFunctionRevertedError,
  );
  const data = (reverted as ContractFunctionRevertedError).data;
  expect(data?.errorName, (caught as Error).message).toBe(errorName);
  if (args !== undefined) expect(data?.args ?? []).toEqual(args);
  return data?.args ?? [];
}
