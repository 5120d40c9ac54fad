import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { marshalIPNSRecord, multihashToIPNSRoutingKey, unmarshalIPNSRecord } from "ipns";
import { ipnsValidator } from "ipns/validator";
import { CID } from "multiformats/cid";
import { type Hex, hashTypedData, hexToBytes, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import {
  canonicalIpnsName,
  contenthashOf,
  ipnsDigestOf,
  ipnsKeyBytes,
  ipnsKeyFromSignature,
  ipnsKeyTypedData,
  ipnsNameOf,
  ipnsRecordOf,
  type NameUpdate,
  nameIdOf,
  pathOfContenthash,
  publishTypedData,
  readIpnsRecord,
  recordMatchesUpdate,
  updateHashOf,
} from "./index.ts";

// Hardhat's first account: the vectors in docs/protocol.md ("Names") are computed with it
const owner = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

async function keyOf(label: string) {
  return ipnsKeyFromSignature(
    await owner.signTypedData(ipnsKeyTypedData(31337, registry, owner.address, label)),
  );
}

async function updateOf(label: string, sequence: bigint): Promise<{ update: NameUpdate; ipnsName: string }> {
  const key = await keyOf(label);
  return {
    ipnsName: ipnsNameOf(key.publicKey),
    update: {
      value: contenthashOf(cid),
      sequence,
      validity: 4_102_444_800n, // 2100-01-01
      ttl: 300,
      ipnsKey: ipnsKeyBytes(key.publicKey),
    },
  };
}

describe("contenthash (ENSIP-7)", () => {
  test("ENSIP-7's own example decodes to its CID, and encodes back with a CIDv1", () => {
    const example = "0xe3010170122029f2d17be6139079dc48696d1f582a8530eb9805b561eda517e22a892c7e3f1f" as Hex;
    const path = pathOfContenthash(example);
    expect(CID.parse(path.slice(6)).toV0().toString()).toBe("QmRAQB6YaCyidP37UdDnjFY5vQuiBrcqdyoW1CuDgwxkD4");
    expect(contenthashOf(path)).toBe(example);
    expect(contenthashOf("QmRAQB6YaCyidP37UdDnjFY5vQuiBrcqdyoW1CuDgwxkD4")).toBe(example);
  });

  test("/ipfs/ and /ipns/ round-trip; other prefixes and non-CIDs are refused", async () => {
    expect(pathOfContenthash(contenthashOf(`/ipfs/${cid}`))).toBe(`/ipfs/${cid}`);
    const { ipnsName } = await updateOf("site", 1n);
    const hash = contenthashOf(`/ipns/${ipnsName}`);
    expect(hash.startsWith("0xe501")).toBe(true);
    expect(pathOfContenthash(hash)).toBe(`/ipns/${ipnsName}`);
    expect(() => contenthashOf("/ipfs/not-a-cid")).toThrow(/not a CID/);
    expect(() => contenthashOf(`/ipns/${cid}`)).toThrow(/libp2p key/);
    expect(() => pathOfContenthash(`0xe401${contenthashOf(cid).slice(6)}`)).toThrow(/neither/);
  });
});

describe("name ids and IPNS keys", () => {
  test("a name id is keccak256(abi.encode(owner, keccak256(label))): owners cannot collide", () => {
    const other = privateKeyToAccount(keccak256(toHex("other")));
    expect(nameIdOf(owner.address, "site")).not.toBe(nameIdOf(other.address, "site"));
    expect(nameIdOf(owner.address, "site")).not.toBe(nameIdOf(owner.address, "site2"));
  });

  test("the IPNS key comes back from a new signature, and from its high-s twin; labels differ", async () => {
    const typed = ipnsKeyTypedData(31337, registry, owner.address, "site");
    const signature = await owner.signTypedData(typed);
    const again = await ipnsKeyFromSignature(await owner.signTypedData(typed));
    const first = await ipnsKeyFromSignature(signature);
    expect(ipnsNameOf(again.publicKey)).toBe(ipnsNameOf(first.publicKey));
    // the same signature with s folded to n - s (and v flipped) is as valid: same key
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${signature.slice(66, 130)}`);
    const v = Number.parseInt(signature.slice(130), 16);
    const twin =
      `${signature.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    expect(ipnsNameOf((await ipnsKeyFromSignature(twin)).publicKey)).toBe(ipnsNameOf(first.publicKey));
    expect(ipnsNameOf((await keyOf("blog")).publicKey)).not.toBe(ipnsNameOf(first.publicKey));
    expect(ipnsNameOf(first.publicKey)).toMatch(/^k51qzi5uqu5d/);
  });

  test("IPNS names parse in base36, base32 and base58 to one canonical form", async () => {
    const { ipnsName } = await updateOf("site", 1n);
    const digest = ipnsDigestOf(ipnsName);
    const base32 = CID.createV1(0x72, digest).toString();
    expect(canonicalIpnsName(base32)).toBe(ipnsName);
    expect(() => ipnsDigestOf(cid)).toThrow(/not an IPNS name/);
  });
});

describe("IPNS records of registry updates", () => {
  test("a record passes the stock validator and carries the update's value, sequence, validity, TTL", async () => {
    const { update, ipnsName } = await updateOf("site", 7n);
    const bytes = await ipnsRecordOf(await keyOf("site"), update);
    await ipnsValidator(multihashToIPNSRoutingKey(ipnsDigestOf(ipnsName) as never), bytes);
    const record = unmarshalIPNSRecord(bytes);
    expect(record.value).toBe(`/ipfs/${cid}`);
    expect(record.sequence).toBe(7n);
    expect(record.validity).toBe("2100-01-01T00:00:00.000000000Z");
    expect(record.ttl).toBe(300_000_000_000n);
    expect("signatureV2" in record && record.signatureV2.length).toBe(64);
    const entry = await readIpnsRecord(ipnsName, bytes);
    expect(recordMatchesUpdate(entry, update)).toBe(true);
    for (const changed of [
      { ...update, sequence: 8n },
      { ...update, validity: update.validity + 1n },
      { ...update, ttl: 301 },
      { ...update, value: contenthashOf("bafkreiaxnnnb7qz2focittuqq3ya25q7rcv3bqynnczfzako47346wosmu") },
    ]) {
      expect(recordMatchesUpdate(entry, changed)).toBe(false);
    }
    // deterministic: re-deriving the key gives the same bytes
    expect(toHex(await ipnsRecordOf(await keyOf("site"), update))).toBe(toHex(bytes));
  });

  test("a record under another name, tampered or over 10 KiB is refused", async () => {
    const { update, ipnsName } = await updateOf("site", 1n);
    const { ipnsName: otherName } = await updateOf("blog", 1n);
    const bytes = await ipnsRecordOf(await keyOf("site"), update);
    await expect(readIpnsRecord(otherName, bytes)).rejects.toThrow(/not valid/);
    const record = unmarshalIPNSRecord(bytes);
    // one bit of the V2 signature flipped
    const signatureV2 = record.signatureV2.slice();
    signatureV2[0] = (signatureV2[0] as number) ^ 1;
    const tampered = marshalIPNSRecord({ ...record, signatureV2 });
    await expect(readIpnsRecord(ipnsName, tampered)).rejects.toThrow(/not valid/);
    await expect(readIpnsRecord(ipnsName, new Uint8Array(10 * 1024 + 1))).rejects.toThrow(/at most 10240/);
  });

  test("an expired record is refused", async () => {
    const { update, ipnsName } = await updateOf("site", 1n);
    const expired = { ...update, validity: BigInt(Math.floor(Date.now() / 1000) - 1) };
    const bytes = await ipnsRecordOf(await keyOf("site"), expired);
    await expect(readIpnsRecord(ipnsName, bytes)).rejects.toThrow(/not valid/);
  });

  test("the IPNS spec's test vectors: valid ones read, invalid ones refused", async () => {
    const dir = join(import.meta.dirname, "../../test/fixtures/ipns-spec");
    const expected: Record<string, string | null> = {
      v1: null,
      "v1-v2": "/ipfs/bafkqaddwgevxmmraojswg33smq",
      "v1-v2-broken-v1-value": null,
      "v1-v2-broken-signature-v2": null,
      "v1-v2-broken-signature-v1": "/ipfs/bafkqahtwgevxmmrao5uxi2bamjzg623fnyqhg2lhnzqxi5lsmuqhmmi",
      v2: "/ipfs/bafkqadtwgiww63tmpeqhezldn5zgi",
    };
    const files = (await readdir(dir)).filter((file) => file.endsWith(".ipns-record"));
    expect(files).toHaveLength(6);
    for (const file of files) {
      const [name, rest] = file.split("_") as [string, string];
      const outcome = expected[rest.replace(".ipns-record", "")];
      const bytes = new Uint8Array(await readFile(join(dir, file)));
      if (outcome === null) {
        await expect(readIpnsRecord(name, bytes), file).rejects.toThrow();
      } else {
        const entry = await readIpnsRecord(name, bytes);
        expect(entry.value, file).toBe(outcome);
        expect(entry.sequence).toBe(0n);
      }
    }
  });
});

describe("docs/name-vectors.json", () => {
  test("every vector is reproduced: ids, keys, hashes, digests, signatures and IPNS records", async () => {
    const path = join(import.meta.dirname, "../../docs/name-vectors.json");
    const file = JSON.parse(await readFile(path, "utf8")) as {
      chainId: number;
      registry: `0x${string}`;
      vectors: {
        label: string;
        target: string;
        nameId: Hex;
        ipnsKeySignature: Hex;
        ipnsKey: Hex;
        ipnsName: string;
        update: { value: Hex; sequence: string; validity: string; ttl: number; ipnsKey: Hex };
        updateHash: Hex;
        publishDigest: Hex;
        publishSignature: Hex;
        ipnsRecord: Hex;
      }[];
    };
    expect(file.vectors.length).toBe(4);
    for (const v of file.vectors) {
      expect(nameIdOf(owner.address, v.label)).toBe(v.nameId);
      expect(
        await owner.signTypedData(ipnsKeyTypedData(file.chainId, file.registry, owner.address, v.label)),
      ).toBe(v.ipnsKeySignature);
      const key = await ipnsKeyFromSignature(v.ipnsKeySignature);
      expect(ipnsKeyBytes(key.publicKey)).toBe(v.ipnsKey);
      expect(ipnsNameOf(key.publicKey)).toBe(v.ipnsName);
      const update: NameUpdate = {
        ...v.update,
        sequence: BigInt(v.update.sequence),
        validity: BigInt(v.update.validity),
      };
      expect(contenthashOf(v.target)).toBe(update.value);
      expect(updateHashOf(update)).toBe(v.updateHash);
      const publish = publishTypedData(file.chainId, file.registry, owner.address, v.label, update);
      expect(hashTypedData(publish)).toBe(v.publishDigest);
      expect(await owner.signTypedData(publish)).toBe(v.publishSignature);
      expect(toHex(await ipnsRecordOf(key, update))).toBe(v.ipnsRecord);
      expect(recordMatchesUpdate(await readIpnsRecord(v.ipnsName, hexToBytes(v.ipnsRecord)), update)).toBe(
        true,
      );
    }
  });
});
