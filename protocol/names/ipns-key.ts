import { generateKeyPairFromSeed, publicKeyToProtobuf } from "@libp2p/crypto/keys";
import type { Ed25519PrivateKey, PublicKey } from "@libp2p/interface";
import { peerIdFromPublicKey } from "@libp2p/peer-id";
import { base36 } from "multiformats/bases/base36";
import { bytesToHex, type Hex, hexToBytes, keccak256, parseSignature } from "viem";
import { ProtocolError } from "../errors.ts";

/** Order of secp256k1: a signature's `s` above half of it is folded to `n - s` (EIP-2). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * The Ed25519 key a name's IPNS records are signed with, re-derived from the owner's EIP-712
 * signature of {@link ipnsKeyTypedData}: seed = keccak256(r ‖ low-s). Wallets sign
 * deterministically (RFC 6979), and `s` is normalised, so the owner gets the same key back on any
 * machine, with nothing to keep: a lost keystore loses nothing.
 */
export async function ipnsKeyFromSignature(signature: Hex): Promise<Ed25519PrivateKey> {
  let r: Hex;
  let s: Hex;
  try {
    ({ r, s } = parseSignature(signature));
  } catch (cause) {
    throw new ProtocolError("not an ECDSA signature", { cause });
  }
  let low = BigInt(s);
  if (low > SECP256K1_N / 2n) low = SECP256K1_N - low;
  const seed = keccak256(
    new Uint8Array([...hexToBytes(r), ...hexToBytes(`0x${low.toString(16).padStart(64, "0")}`)]),
  );
  return generateKeyPairFromSeed("Ed25519", hexToBytes(seed));
}

/** The IPNS name of a public key: its peer id as a CIDv1 (libp2p-key) in base36, `k51…`. */
export function ipnsNameOf(publicKey: PublicKey): string {
  return peerIdFromPublicKey(publicKey).toCID().toString(base36);
}

/** The protobuf bytes of a public key, as the registry's `ipnsKey` holds them. */
export function ipnsKeyBytes(publicKey: PublicKey): Hex {
  return bytesToHex(publicKeyToProtobuf(publicKey));
}
