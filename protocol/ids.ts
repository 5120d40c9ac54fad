import { type Address, encodeAbiParameters, type Hex, keccak256, toHex } from "viem";

const ID_MASK = (1n << 248n) - 1n;

/**
 * The id of the blob `owner` registers with `salt`: `keccak256(abi.encode(chainId, market, owner,
 * salt))` with its top byte cleared, as StorageMarket.blobIdOf derives it.
 */
export function blobIdOf(chainId: number, market: Address, owner: Address, salt: Hex): Hex {
  const hash = keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "address" }, { type: "bytes32" }],
      [BigInt(chainId), market, owner, salt],
    ),
  );
  return toHex(BigInt(hash) & ID_MASK, { size: 32 });
}

const blobIdPattern = /^0x[0-9a-fA-F]{64}$/;

/** Whether `value` has the shape of a blob id (32 bytes, hex). */
export function isBlobId(value: string): value is Hex {
  return blobIdPattern.test(value);
}
