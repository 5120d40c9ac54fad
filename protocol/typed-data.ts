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

/**
 * EIP-712 types of an owner's request that a node drop its copies of a blob (DELETE /file/:id).
 * `nonce` makes each request single-use; `expiry` bounds how long it is honoured.
 */
export const deleteRequestTypes = {
  DeleteRequest: [
    { name: "blobId", type: "bytes32" },
    { name: "expiry", type: "uint64" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

export interface DeleteRequestMessage {
  blobId: Hex;
  expiry: bigint;
  nonce: Hex;
}

/** Typed data of a delete request, in the market's domain. */
export function deleteRequestTypedData(chainId: number, market: Address, message: DeleteRequestMessage) {
  return {
    domain: marketDomain(chainId, market),
    types: deleteRequestTypes,
    primaryType: "DeleteRequest",
    message,
  } as const;
}

/** An attestation as nodes answer it (`PUT /store`, `PUT /shard`): the expiry in decimal. */
export interface WireAttestation {
  holder: number;
  expiry: string;
  r: string;
  vs: string;
}

/** A node's attestation in the shape `certify` and `certifyShards` take. */
export function attestationArg({ holder, expiry, r, vs }: WireAttestation) {
  return { holder, expiry: BigInt(expiry), r: r as Hex, vs: vs as Hex };
}
