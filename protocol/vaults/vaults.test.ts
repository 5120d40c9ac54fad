import { CID } from "multiformats/cid";
import { describe, expect, test } from "vitest";
import { buildCollection, documentBlock, withKey } from "../collections/index.ts";
import { snapshotBlocks } from "./snapshot-blocks.ts";
import { chunkBlock, decodeManifest, manifestBlock, type VaultManifest } from "./vault-manifest.ts";
import { vaultRequestMessage } from "./vault-request.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

async function manifestOf(files: Record<string, string>, sequence = 1, parent: CID | null = null) {
  const entries = [];
  for (const [path, content] of Object.entries(files)) {
    entries.push({
      path,
      size: content.length,
      type: "text/plain",
      chunks: [(await chunkBlock(bytes(content))).cid],
    });
  }
  return { v: 1, sequence, parent, files: entries, collections: {} } as VaultManifest;
}

describe("vault manifests", () => {
  test("the same content, sequence and parent give the same CID whatever the order of the files", async () => {
    const a = await manifestBlock(await manifestOf({ "b.txt": "two", "a.txt": "one" }));
    const b = await manifestBlock(await manifestOf({ "a.txt": "one", "b.txt": "two" }));
    expect(a.cid.equals(b.cid)).toBe(true);
    const later = await manifestBlock(await manifestOf({ "a.txt": "one", "b.txt": "two" }, 2, a.cid));
    expect(later.cid.equals(a.cid)).toBe(false);
    const changed = await manifestBlock(await manifestOf({ "a.txt": "one!", "b.txt": "two" }));
    expect(changed.cid.equals(a.cid)).toBe(false);
  });

  test("decodes what it encodes and refuses what is not a manifest", async () => {
    const manifest = await manifestOf(
      { "x/y.bin": "data" },
      3,
      CID.parse("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"),
    );
    const { bytes: encoded } = await manifestBlock(manifest);
    const decoded = decodeManifest(encoded);
    expect(decoded.sequence).toBe(3);
    expect(decoded.files[0]?.path).toBe("x/y.bin");
    expect(decoded.files[0]?.chunks[0]?.equals(manifest.files[0]?.chunks[0] as CID)).toBe(true);
    expect(() => decodeManifest(bytes("not cbor at all"))).toThrow(/manifest/);
    const { bytes: other } = await documentBlock({ _id: "x", v: 2 });
    expect(() => decodeManifest(other)).toThrow(/not a Strata vault manifest/);
  });

  test("a snapshot reaches each file chunk and every block of its collections once", async () => {
    const docs = await Promise.all([{ n: 1 }, { n: 2 }, { n: 2 }].map((doc, i) => withKey({ ...doc, i })));
    const blocks = new Map<string, Uint8Array>();
    const entries: [string, CID][] = [];
    for (const doc of docs) {
      const block = await documentBlock(doc);
      blocks.set(block.cid.toString(), block.bytes);
      entries.push([doc._id, block.cid]);
    }
    entries.sort(([a], [b]) => (a < b ? -1 : 1));
    const built = await buildCollection(
      entries,
      ["n"],
      async (cid) => docs[entries.findIndex(([, c]) => c.equals(cid))] as never,
    );
    for (const block of built.blocks) blocks.set(block.cid.toString(), block.bytes);
    const manifest = await manifestOf({ "a.txt": "same", "b.txt": "same" });
    manifest.collections = { things: built.meta };
    const reached = [];
    for await (const block of snapshotBlocks(
      manifest,
      async (cid) => blocks.get(cid.toString()) as Uint8Array,
    )) {
      reached.push(block);
    }
    // one chunk (both files hold the same bytes), three documents, the map and the index blocks
    expect(reached.filter((b) => b.kind === "chunk")).toHaveLength(1);
    expect(reached.length).toBe(1 + blocks.size);
    expect(new Set(reached.map((b) => b.cid.toString())).size).toBe(reached.length);
  });
});

describe("vault requests", () => {
  test("the signed text binds chain, vault, method, path, length, time and nonce", () => {
    const request = {
      chainId: 31337,
      vaultId: 7,
      method: "put",
      path: "/vaults/7/files/a.txt",
      contentLength: 11,
      timestamp: 1_800_000_000,
      nonce: "0x00112233445566778899AABBCCDDEEFF" as const,
    };
    expect(vaultRequestMessage(request)).toBe(
      [
        "Strata vault request",
        "chain: 31337",
        "vault: 7",
        "PUT /vaults/7/files/a.txt",
        "length: 11",
        "at: 1800000000",
        "nonce: 0x00112233445566778899aabbccddeeff",
      ].join("\n"),
    );
    for (const change of [
      { vaultId: 8 },
      { path: "/vaults/7/files/b.txt" },
      { contentLength: 12 },
      { chainId: 1 },
    ]) {
      expect(vaultRequestMessage({ ...request, ...change })).not.toBe(vaultRequestMessage(request));
    }
  });
});
