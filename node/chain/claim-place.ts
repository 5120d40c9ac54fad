import { BaseError, ContractFunctionRevertedError, type Hex } from "viem";
import type { ChainClient } from "./chain-client.ts";

/**
 * Takes the place of dropped holder `holder` of `blobId` for this node (`reassignHolder`), if the
 * chain lets it: simulated first, so a place another node took already, or one this node may not
 * take (a holder already, inactive, not serving the tier), costs no transaction, and a claim that
 * loses the race to another node's reverts harmlessly. Resolves with whether this node now holds
 * the place.
 */
export async function claimPlace(
  chain: ChainClient,
  blobId: Hex,
  holder: number,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  const args = [blobId, holder, chain.nodeId] as const;
  try {
    await chain.market.simulate.reassignHolder(args, { account: chain.account });
  } catch {
    return false;
  }
  try {
    await chain.send(
      "reassignHolder",
      async () => {
        const gas = await chain.gasFor((o) => chain.market.estimateGas.reassignHolder(args, o));
        return chain.market.write.reassignHolder(args, { gas });
      },
      options,
    );
  } catch (error) {
    // another node's claim was mined between the simulation and this one: the place is taken
    if (error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionRevertedError))
      return false;
    throw error;
  }
  return true;
}
