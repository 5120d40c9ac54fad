import type { Address, Hex } from "viem";

/** EIP-712 domain of a StorageMarket deployment. */
export function marketDomain(chainId: number, market: Address) {
  return { name: "Strata StorageMarket", version: "1", chainId, verifyingContract: market } as const;
}

/** EIP-712 types of a node's attestation that it holds a blob (contracts' ATTESTATION_TYPEHASH). */
export const attestationTypes = {
  Attestation: [
    { name: "blobId", type: "bytes32" },
    { name: "commitment", type: "bytes32" },
    { name: "size", type: "uint64" },
    { name: "nodeId", type: "uint32" },
    { name: "expiry", type: "uint64" },
  ],
} as const;

/** What a node signs when it attests it holds a blob. */
export interface AttestationMessage {
  blobId: Hex;
  commitment: Hex;
  size: bigint;
  nodeId: number;
  expiry: bigint;
}

/** Typed data of an attestation, ready for `signTypedData`/`verifyTypedData`/`hashTypedData`. */
export function attestationTypedData(chainId: number, market: Address, message: AttestationMessage) {
  return {
    domain: marketDomain(chainId, market),
    types: attestationTypes,
    primaryType: "Attestation",
    message,
  } as const;
}
