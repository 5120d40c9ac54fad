import { type Address, encodeAbiParameters, type Hex, keccak256 } from "viem";

/** A blob id: `keccak256(abi.encode(chainId, market, owner, ownerNonce))`, as StorageMarket derives it. */
export function blobIdOf(chainId: number, market: Address, owner: Address, nonce: bigint): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "address" }, { type: "uint256" }],
      [BigInt(chainId), market, owner, nonce],
    ),
  );
}

const blobIdPattern = /^0x[0-9a-fA-F]{64}$/;

/** Whether `value` has the shape of a blob id (32 bytes, hex). */
export function isBlobId(value: string): value is Hex {
  return blobIdPattern.test(value);
}
