// Writes docs/name-vectors.json: name ids, relayed-update digests, IPNS keys, update hashes and
// IPNS records of a few registry updates, for a fixed owner (Hardhat's first account), chain and
// registry. protocol/names/names.test.ts checks them; regenerate only if the format changes.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hashTypedData, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  contenthashOf,
  ipnsKeyBytes,
  ipnsKeyFromSignature,
  ipnsKeyTypedData,
  ipnsNameOf,
  ipnsRecordOf,
  type NameUpdate,
  nameIdOf,
  publishTypedData,
  updateHashOf,
} from "../protocol/names/index.ts";

export const VECTOR_OWNER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const VECTOR_CHAIN_ID = 31337;
export const VECTOR_REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const cases = [
  {
    label: "site",
    target: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    sequence: 1n,
    ttl: 300,
  },
  { label: "site", target: "/ipfs/QmRAQB6YaCyidP37UdDnjFY5vQuiBrcqdyoW1CuDgwxkD4", sequence: 2n, ttl: 300 },
  {
    label: "blog",
    target: "bafybeibj6lixxzqtsb45ysdjnupvqkufgdvzqbnvmhw2kf7cfkesy7r7d4",
    sequence: 7n,
    ttl: 0,
  },
  {
    label: "日本",
    target: "bafkreiaxnnnb7qz2focittuqq3ya25q7rcv3bqynnczfzako47346wosmu",
    sequence: 1n,
    ttl: 86_400,
  },
];

export async function nameVectors() {
  const owner = privateKeyToAccount(VECTOR_OWNER_KEY);
  const out = [];
  for (const c of cases) {
    const keyTypedData = ipnsKeyTypedData(VECTOR_CHAIN_ID, VECTOR_REGISTRY, owner.address, c.label);
    const keySignature = await owner.signTypedData(keyTypedData);
    const key = await ipnsKeyFromSignature(keySignature);
    const update: NameUpdate = {
      value: contenthashOf(c.target),
      sequence: c.sequence,
      validity: 4_102_444_800n,
      ttl: c.ttl,
      ipnsKey: ipnsKeyBytes(key.publicKey),
    };
    const publish = publishTypedData(VECTOR_CHAIN_ID, VECTOR_REGISTRY, owner.address, c.label, update);
    out.push({
      label: c.label,
      target: c.target,
      nameId: nameIdOf(owner.address, c.label),
      ipnsKeySignature: keySignature,
      ipnsKey: update.ipnsKey,
      ipnsName: ipnsNameOf(key.publicKey),
      update: { ...update, sequence: update.sequence.toString(), validity: update.validity.toString() },
      updateHash: updateHashOf(update),
      publishDigest: hashTypedData(publish),
      publishSignature: await owner.signTypedData(publish),
      ipnsRecord: toHex(await ipnsRecordOf(key, update)),
    });
  }
  return {
    owner: owner.address,
    chainId: VECTOR_CHAIN_ID,
    registry: VECTOR_REGISTRY,
    count: out.length,
    vectors: out,
  };
}

if (import.meta.main) {
  const path = join(import.meta.dirname, "..", "docs", "name-vectors.json");
  const vectors = await nameVectors();
  await writeFile(path, `${JSON.stringify(vectors, null, 2)}\n`);
  console.log(`wrote ${vectors.count} vectors to ${path}`);
}
