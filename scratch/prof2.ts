import { VaultStore } from "/work/main/node/vaults/vault-store.ts";
import { OpenVault } from "/work/main/node/vaults/vaults.ts";
import { snapshotBlocks } from "/work/main/protocol/index.ts";
const t = () => performance.now();
const store = await VaultStore.open("/tmp/prof2-" + Date.now());
const vault = new OpenVault(1, store);
await vault.collections.run("people", "index", { path: "city" });
for (let i = 0; i < 30000; i += 1000) {
  await vault.collections.run("people", "insert", { docs: Array.from({ length: 1000 }, (_, j) => ({ _id: `u${i + j}`, name: `User ${i + j}`, age: j % 70, city: ["A", "B", "C"][j % 3] })) });
}
const collections = await vault.collections.build();
const manifest = { v: 1 as const, sequence: 1, parent: null, files: [], collections };
let s = t(); let n = 0;
for await (const b of snapshotBlocks(manifest, async (cid) => store.block(cid)!)) n++;
console.log("walk", (t() - s).toFixed(0), n);
s = t();
for await (const b of snapshotBlocks(manifest, async (cid) => store.block(cid)!, { skip: (c) => store.isShipped(c) })) n++;
console.log("walk+skip", (t() - s).toFixed(0), n);
