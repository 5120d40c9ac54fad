import { publicKeyFromMultihash, publicKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import {
  createIPNSRecordWithExpiration,
  extractPublicKeyFromIPNSRecord,
  marshalIPNSRecord,
  multihashToIPNSRoutingKey,
  unmarshalIPNSRecord,
} from "ipns";
import { ipnsValidator } from "ipns/validator";
import { base36 } from "multiformats/bases/base36";
import { base58btc } from "multiformats/bases/base58";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { bytesToHex, type Hex } from "viem";
import { ProtocolError } from "../errors.ts";
import { pathOfContenthash } from "./contenthash.ts";
import type { NameUpdate } from "./name-typed-data.ts";

/** The largest IPNS record the spec lets a resolver accept. */
export const MAX_IPNS_RECORD_BYTES = 10 * 1024;
const LIBP2P_KEY = 0x72;
const NS_PER_SECOND = 1_000_000_000n;

/** An IPNS record that passed the stock validator, with its fields in the registry's units. */
export interface IpnsEntry {
  /** The name, a CIDv1 (libp2p-key) in base36. */
  ipnsName: string;
  /** The content path, `/ipfs/<cid>` or `/ipns/<key>`. */
  value: string;
  sequence: bigint;
  /** Unix seconds of the record's end of life. */
  validity: bigint;
  /** Seconds, rounded down. */
  ttl: number;
  /** The signing key's protobuf bytes. */
  publicKey: Hex;
  /** The record as it travels (protobuf). */
  bytes: Uint8Array;
}

/**
 * The standard IPNS record (V1 and V2 signatures, CBOR data) of a registry update: the same value
 * (as a path), sequence, validity (RFC 3339 with nanoseconds, from the update's Unix seconds) and
 * TTL (nanoseconds). Ed25519 signatures are deterministic, so a record is a function of the key
 * and the update: whoever re-derives the key makes the same bytes.
 */
export async function ipnsRecordOf(key: PrivateKey, update: NameUpdate): Promise<Uint8Array> {
  const record = await createIPNSRecordWithExpiration(
    key,
    pathOfContenthash(update.value),
    update.sequence,
    rfc3339Nanos(update.validity),
    // V1 fields and signature beside V2's, as kubo writes them: older resolvers read them too
    { ttlNs: BigInt(update.ttl) * NS_PER_SECOND, v1Compatible: true },
  );
  return marshalIPNSRecord(record);
}

/**
 * Checks `bytes` with the stock IPNS validator under the name `ipnsName` (size, V2 signature,
 * CBOR data matching the protobuf fields, end of life not passed) and reads it.
 */
export async function readIpnsRecord(ipnsName: string, bytes: Uint8Array): Promise<IpnsEntry> {
  if (bytes.byteLength > MAX_IPNS_RECORD_BYTES) {
    throw new ProtocolError(
      `an IPNS record is at most ${MAX_IPNS_RECORD_BYTES} bytes, got ${bytes.byteLength}`,
    );
  }
  const digest = ipnsDigestOf(ipnsName);
  try {
    await ipnsValidator(multihashToIPNSRoutingKey(digest as Digest.Digest<0x00 | 0x12, number>), bytes);
  } catch (cause) {
    throw new ProtocolError(`IPNS record for ${ipnsName} is not valid: ${(cause as Error).message}`, {
      cause,
    });
  }
  const record = unmarshalIPNSRecord(bytes);
  const publicKey = extractPublicKeyFromIPNSRecord(record) ?? publicKeyFromMultihash(digest as never);
  return {
    ipnsName: CID.createV1(LIBP2P_KEY, digest).toString(base36),
    value: record.value,
    sequence: record.sequence,
    validity: BigInt(Math.floor(Date.parse(`${record.validity.slice(0, 19)}Z`) / 1000)),
    ttl: Number((record.ttl ?? 0n) / NS_PER_SECOND),
    publicKey: bytesToHex(publicKeyToProtobuf(publicKey)),
    bytes,
  };
}

/** Whether a checked IPNS record carries exactly the registry update (the anchoring rule). */
export function recordMatchesUpdate(entry: IpnsEntry, update: NameUpdate): boolean {
  return (
    entry.sequence === update.sequence &&
    entry.validity === update.validity &&
    entry.ttl === update.ttl &&
    entry.publicKey.toLowerCase() === update.ipnsKey.toLowerCase() &&
    entry.value === pathOfContenthash(update.value)
  );
}

/**
 * The multihash an IPNS name stands for: a CIDv1 with the libp2p-key codec in any multibase
 * (`k51…`, `bafz…`), or a base58 peer id (`12D3Koo…`).
 */
export function ipnsDigestOf(ipnsName: string): Digest.Digest<number, number> {
  try {
    if (ipnsName.startsWith("1") || ipnsName.startsWith("Q")) {
      return Digest.decode(base58btc.baseDecode(ipnsName));
    }
    const cid = CID.parse(ipnsName, ipnsName.startsWith("k") ? base36 : undefined);
    if (cid.code !== LIBP2P_KEY) throw new Error(`codec 0x${cid.code.toString(16)} is not libp2p-key`);
    return cid.multihash;
  } catch (cause) {
    throw new ProtocolError(`not an IPNS name: ${ipnsName.slice(0, 100)}`, { cause });
  }
}

/** An IPNS name in its canonical form, a base36 CIDv1 (`k51…`). */
export function canonicalIpnsName(ipnsName: string): string {
  return CID.createV1(LIBP2P_KEY, ipnsDigestOf(ipnsName)).toString(base36);
}

/** `2026-11-30T19:00:00.000000000Z`: Unix seconds as IPNS writes an end of life. */
export function rfc3339Nanos(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, ".000000000Z");
}
