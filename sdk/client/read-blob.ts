import type { ContractFunctionReturnType, Hex } from "viem";
import { storageMarketAbi } from "../../protocol/index.ts";
import type { ClientContext } from "./client-context.ts";
import { readCall } from "./contract-calls.ts";

/** The market's record of a blob, as `getBlob` returns it. */
export type MarketBlob = ContractFunctionReturnType<typeof storageMarketAbi, "view", "getBlob">;

/** The market's record of a blob; a revert (an unknown blob) is a ContractRevertError. */
export function readBlob(
  ctx: Pick<ClientContext, "publicClient" | "deployment">,
  blobId: Hex,
): Promise<MarketBlob> {
  return readCall(ctx.publicClient, {
    address: ctx.deployment.contracts.market,
    abi: storageMarketAbi,
    functionName: "getBlob",
    args: [blobId],
  });
}
