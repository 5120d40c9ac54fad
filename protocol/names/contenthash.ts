import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import { bytesToHex, concatBytes, type Hex, hexToBytes } from "viem";
import { ProtocolError } from "../errors.ts";

/** Multicodec `ipfs-ns` (0xe3) and `ipns-ns` (0xe5) as unsigned varints, ENSIP-7's prefixes. */
const IPFS_NS = Uint8Array.of(0xe3, 0x01);
const IPNS_NS = Uint8Array.of(0xe5, 0x01);
const LIBP2P_KEY = 0x72;

/**
 * The ENSIP-7 contenthash of a content path: `0xe301` + the CIDv1 bytes for `/ipfs/<cid>` (a
 * CIDv0 is upgraded to v1, as ENSIP-7 requires), `0xe501` + the CIDv1 bytes for `/ipns/<key>`.
 * A bare CID is taken as `/ipfs/<cid>`. Paths inside the content are not part of a contenthash.
 */
export function contenthashOf(target: string | CID): Hex {
  if (typeof target !== "string") return bytesToHex(concatBytes([IPFS_NS, target.toV1().bytes]));
  const match = /^\/(ipfs|ipns)\/([^/?#]+)\/?$/.exec(target.trim());
  const [namespace, id] = match ? [match[1], match[2] as string] : ["ipfs", target.trim()];
  const cid = parseCid(id);
  if (namespace === "ipns") {
    if (cid.code !== LIBP2P_KEY) throw new ProtocolError(`an /ipns/ target must be a libp2p key: ${id}`);
    return bytesToHex(concatBytes([IPNS_NS, cid.bytes]));
  }
  return bytesToHex(concatBytes([IPFS_NS, cid.toV1().bytes]));
}

/** The content path (`/ipfs/<cidv1>` or `/ipns/<key in base36>`) an ENSIP-7 contenthash names. */
export function pathOfContenthash(contenthash: Hex): string {
  const bytes = hexToBytes(contenthash);
  const prefix = bytes.subarray(0, 2);
  let cid: CID;
  try {
    cid = CID.decode(bytes.subarray(2));
  } catch (cause) {
    throw new ProtocolError(`contenthash ${contenthash.slice(0, 20)}… does not hold a CID`, { cause });
  }
  if (equal(prefix, IPFS_NS)) return `/ipfs/${cid.toV1().toString()}`;
  if (equal(prefix, IPNS_NS)) return `/ipns/${cid.toString(base36)}`;
  throw new ProtocolError(`contenthash ${contenthash.slice(0, 6)}… is neither ipfs-ns nor ipns-ns`);
}

function parseCid(text: string): CID {
  try {
    return CID.parse(text, text.startsWith("k") ? base36 : undefined);
  } catch (cause) {
    throw new ProtocolError(`not a CID: ${text.slice(0, 100)}`, { cause });
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
