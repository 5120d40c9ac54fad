import type { Hex } from "viem";
import { vaultRegistryAbi } from "#protocol";
import type { SdkNetwork } from "../sdk/sdk-network.ts";

/** The owner (wallet 8) moves a vault's home to `to` with `to`'s restore signature, and waits for it. */
export async function moveHome(net: SdkNetwork, vaultId: number, to: number, signature: Hex): Promise<void> {
  const wallet = net.h.wallet(8);
  await net.h.wait(
    await wallet.writeContract({
      account: wallet.account!,
      chain: wallet.chain,
      address: net.deployment.contracts.vaults,
      abi: vaultRegistryAbi,
      functionName: "moveHome",
      args: [BigInt(vaultId), to, signature],
    }),
  );
}
