import { randomBytes } from "node:crypto";

import { chunkBlock, snapshotBlocks, decodeManifest, manifestBlock } from "/work/main/protocol/index.ts";
import { VaultStore } from "/work/main/node/vaults/vault-store.ts";
import { OpenVault } from "/work/main/node/vaults/vaults.ts";
import { measurePack, carBytes } from "/work/main/node/vaults/pack-upload.ts";
import { readFile } from "node:fs/promises";
const t = () => performance.now();
const dir = "/tmp/prof-" + Date.now();
const store = await VaultStore.open(dir);
const vault = new OpenVault(1, store);
let s = t();
for (let i = 0; i < 300; i++) {
  const bytes = randomBytes(1 << 20);
  const b = await chunkBlock(bytes);
  await store.writeChunk(b.cid, bytes);
  store.putFile({ path: `f/${i}`, size: bytes.length, type: "x", modified: 0, chunks: [b.cid] });
}
console.log("files", (t() - s).toFixed(0));
s = t();
await vault.collections.run("people", "index", { path: "city" });
for (let i = 0; i < 30000; i += 1000) {
  await vault.collections.run("people", "insert", { docs: Array.from({ length: 1000 }, (_, j) => ({ _id: `u${i + j}`, name: `User ${i + j}`, age: j % 70, city: ["A", "B", "C"][j % 3] })) });
}
console.log("inserts", (t() - s).toFixed(0));
s = t();
const collections = await vault.collections.build();
console.log("build", (t() - s).toFixed(0));
const manifest = { v: 1 as const, sequence: 1, parent: null, files: store.files().map(({ path, size, type, chunks }) => ({ path, size, type, chunks })), collections };
const block = await manifestBlock(manifest);
store.putBlocks([block]);
s = t();
const fresh = [];
for await (const b of snapshotBlocks(manifest, async (cid) => store.block(cid)!, { skip: (c) => store.isShipped(c) })) fresh.push(b);
console.log("plan", (t() - s).toFixed(0), fresh.length);
const source = () => carBytes(block.cid, (async function* () { yield block; for (const b of fresh) yield b.kind === "chunk" ? { cid: b.cid, bytes: await readFile(store.chunkPath(b.cid)) } : b; })());
s = t();
let n = 0; for await (const c of source()) n += c.length;
console.log("car pass", (t() - s).toFixed(0), n);
s = t();
await measurePack(source);
console.log("measure", (t() - s).toFixed(0));
s = t();
store.recordSnapshot(1, block.cid.toString(), [], fresh.map((b) => b.cid));
console.log("record", (t() - s).toFixed(0));
s = t();
let m = 0;
for (const f of store.files()) m += (await readFile(store.chunkPath(f.chunks[0]!))).length;
console.log("readFile loop", (t() - s).toFixed(0), m);
s = t();
const { createHash } = await import("node:crypto");
const buf = randomBytes(1 << 20);
for (let i = 0; i < 300; i++) createHash("sha256").update(buf).digest();
console.log("sha256 300MiB", (t() - s).toFixed(0));
s = t();
const big = Buffer.alloc(1 << 20);
for (let i = 0; i < 300; i++) { const c = new Uint8Array(1 << 20); c.set(big); }
console.log("copy 300MiB", (t() - s).toFixed(0));
const { CarBlockIterator } = await import("@ipld/car/iterator");
const carChunks: Uint8Array[] = [];
for await (const c of source()) carChunks.push(c);
const whole = Buffer.concat(carChunks);
const net = async function* () { for (let o = 0; o < whole.length; o += 65536) yield whole.subarray(o, o + 65536); };
s = t();
let blocks = 0;
for await (const b of await CarBlockIterator.fromIterable(net())) blocks++;
console.log("car parse 64k", (t() - s).toFixed(0), blocks);
{
  const { verifyBlock } = await import("/work/main/protocol/index.ts");
  const staging = await VaultStore.open("/tmp/prof-staging-" + Date.now());
  const raw = 0x55;
  s = t();
  const written = [];
  let parseT = 0, verT = 0, wT = 0; let last = t();
  for await (const b of await CarBlockIterator.fromIterable(net())) {
    parseT += t() - last; let x = t();
    await verifyBlock(b.cid as any, b.bytes); verT += t() - x; x = t();
    if (b.cid.code === raw) { if (await staging.writeChunk(b.cid as any, b.bytes, { durable: false })) written.push(b.cid); }
    wT += t() - x; last = t();
  }
  console.log("restore loop", (t() - s).toFixed(0), "parse", parseT.toFixed(0), "verify", verT.toFixed(0), "write", wT.toFixed(0));
  s = t();
  await staging.syncChunkFiles(written as any);
  console.log("sync", (t() - s).toFixed(0));
}
