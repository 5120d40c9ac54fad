import type { Address, Hex } from "viem";

/** EIP-712 domain of a VaultRegistry deployment. */
export function vaultsDomain(chainId: number, vaults: Address) {
  return { name: "Strata VaultRegistry", version: "1", chainId, verifyingContract: vaults } as const;
}

/** EIP-712 types a node signs when it restored a vault's snapshot (the contract's RESTORED_TYPEHASH). */
export const restoredTypes = {
  Restored: [
    { name: "vaultId", type: "uint64" },
    { name: "sequence", type: "uint64" },
    { name: "manifestHash", type: "bytes32" },
    { name: "nodeId", type: "uint32" },
  ],
} as const;

/** What a node attests when it restored snapshot `sequence` (manifest hash `manifestHash`) of a vault. */
export interface RestoredMessage {
  vaultId: bigint;
  sequence: bigint;
  manifestHash: Hex;
  nodeId: number;
}

/** Typed data of a restore, for `signTypedData`: the VaultRegistry moves a vault's home with it. */
export function restoredTypedData(chainId: number, vaults: Address, message: RestoredMessage) {
  return {
    domain: vaultsDomain(chainId, vaults),
    types: restoredTypes,
    primaryType: "Restored",
    message,
  } as const;
}
