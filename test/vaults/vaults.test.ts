import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CID } from "multiformats/cid";
import { keccak256, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { storageMarketAbi, vaultRegistryAbi } from "#protocol";
import { createVaultNodeClient, VAULT_AUTH_HEADER, vaultAuthorizer } from "../../api/vaults/index.ts";
import { randomBytes } from "../../devnet/strata-fixture.ts";
import { type StrataClient, type VaultClient, VaultJobError } from "../../sdk/index.ts";
import { until } from "../helpers/wait-until.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "../sdk/sdk-network.ts";
import { moveHome } from "./move-home.ts";

// Vaults end to end over the in-process chain: the VaultRegistry, three storage nodes holding,
// snapshotting, restoring and migrating vaults, the indexer's mirror, and the SDK.
let net: SdkNetwork;
let owner: StrataClient;
let vault: VaultClient;
const MiB = 1 << 20;
const files = new Map<string, Uint8Array>([
  ["notes/a.txt", new TextEncoder().encode("hello vault")],
  ["photos/big.bin", randomBytes(2 * MiB + 12_345, 7)],
  ["photos/small.bin", randomBytes(70_000, 8)],
  ["empty", new Uint8Array()],
]);
const people = Array.from({ length: 300 }, (_, i) => ({
  _id: `p${String(i).padStart(3, "0")}`,
  name: `person ${i}`,
  age: 18 + (i % 50),
  city: ["Lyon", "Oslo", "Kyoto"][i % 3],
  tags: i % 7 === 0 ? ["vip"] : [],
}));
/** Queries whose answers a restored vault must give again. */
const queries = [
  { filter: { age: { $gte: 60 } }, sort: { _id: 1 as const } },
  { filter: { city: "Oslo" }, sort: { age: -1 as const, _id: 1 as const }, skip: 3, limit: 10 },
  { filter: { tags: "vip" }, projection: { name: 1 } },
  { filter: {}, sort: { _id: -1 as const }, limit: 5 },
];

const nodeUrl = (index: number) => net.started.nodes[index]?.url as string;
const nodeId = (index: number) => net.nodes[index]?.nodeId as number;

async function answers(client: VaultClient, nodeIndex?: number) {
  const out = [];
  for (const { filter, ...options } of queries) {
    out.push(
      await client
        .db("people")
        .find(filter, { ...options, ...(nodeIndex !== undefined ? { nodeId: nodeId(nodeIndex) } : {}) }),
    );
  }
  return out;
}

async function contents(client: VaultClient, nodeIndex?: number) {
  const out = new Map<string, Uint8Array>();
  const opts = nodeIndex !== undefined ? { nodeId: nodeId(nodeIndex) } : {};
  for (const file of (await client.list(opts)).files) out.set(file.path, await client.get(file.path, opts));
  return out;
}

beforeAll(async () => {
  net = await startSdkNetwork({ registered: 3 });
  owner = net.client(net.h.wallet(8));
  await owner.faucet(FUNDS);
  vault = await owner.vaults.open({ home: nodeId(0), quota: 64 * MiB, epochs: 4 });
}, 120_000);
afterAll(async () => {
  await net?.stop();
});

describe("files", () => {
  test("put, get whole and in ranges, stat, list, delete", async () => {
    for (const [path, bytes] of files) await vault.put(path, bytes);
    for (const [path, bytes] of files) expect(Buffer.compare(await vault.get(path), bytes)).toBe(0);
    const big = files.get("photos/big.bin") as Uint8Array;
    // a range across the first chunk boundary
    const range = await vault.get("photos/big.bin", { range: `bytes=${MiB - 10}-${MiB + 9}` });
    expect(Buffer.compare(range, big.subarray(MiB - 10, MiB + 10))).toBe(0);
    const stat = await vault.stat("photos/big.bin");
    expect(stat).toMatchObject({ path: "photos/big.bin", size: big.length });
    expect(stat.chunks).toHaveLength(3);
    expect((await vault.list({ prefix: "photos/" })).files.map((f) => f.path)).toEqual([
      "photos/big.bin",
      "photos/small.bin",
    ]);
    const page = await vault.list({ limit: 2 });
    expect(page.next).toBe(page.files[1]?.path);
    await vault.put("tmp/gone.txt", new TextEncoder().encode("x"));
    expect(await vault.remove("tmp/gone.txt")).toEqual({ deleted: true });
    await expect(vault.get("tmp/gone.txt")).rejects.toMatchObject({ status: 404 });
  });

  test("a file declared as JSON or text is stored as its bytes, not parsed", async () => {
    const json = new TextEncoder().encode('{"not": "parsed", "n": 1}  ');
    const text = new TextEncoder().encode("plain text\n");
    const broken = new TextEncoder().encode("{ not json");
    await vault.put("docs/a.json", json, { type: "application/json" });
    await vault.put("docs/b.txt", text, { type: "text/plain; charset=utf-8" });
    await vault.put("docs/c.json", broken, { type: "application/json" });
    expect(Buffer.compare(await vault.get("docs/a.json"), json)).toBe(0);
    expect(Buffer.compare(await vault.get("docs/b.txt"), text)).toBe(0);
    expect(Buffer.compare(await vault.get("docs/c.json"), broken)).toBe(0);
    expect(await vault.stat("docs/a.json")).toMatchObject({ size: json.length, type: "application/json" });
    for (const path of ["docs/a.json", "docs/b.txt", "docs/c.json"]) await vault.remove(path);
  });

  test("a write over the quota is refused (507) before a byte is written", async () => {
    const client = await vault.node();
    const before = await vault.status();
    const huge = randomBytes(64 * MiB, 3);
    await expect(vault.put("huge.bin", huge)).rejects.toMatchObject({
      status: 507,
      code: "NODE_ERR_VAULT_QUOTA",
    });
    await expect(client.stat("huge.bin")).rejects.toMatchObject({ status: 404 });
    expect((await vault.status()).used).toBe(before.used);
  });

  test("bad paths are refused and change nothing", async () => {
    await expect(vault.put("a//b", new Uint8Array(1))).rejects.toMatchObject({ status: 400 });
    await expect(vault.put(`${"x".repeat(1100)}`, new Uint8Array(1))).rejects.toMatchObject({ status: 400 });
    expect((await vault.list({ prefix: "a/" })).files).toEqual([]);
  });
});

describe("collections", () => {
  test("insert, find with filter/sort/skip/limit/projection, update, delete, count, indexes", async () => {
    const people$ = vault.db("people");
    expect(await people$.insert(people)).toHaveLength(people.length);
    await expect(people$.insert({ _id: "p000" })).rejects.toMatchObject({ status: 400 });
    expect(await people$.count()).toBe(300);
    expect(await people$.createIndex("city")).toEqual(["city"]);
    const oslo = await people$.find({ city: "Oslo" }, { sort: { age: -1, _id: 1 }, skip: 3, limit: 10 });
    expect(oslo).toHaveLength(10);
    expect(oslo.every((p) => p.city === "Oslo")).toBe(true);
    const projected = await people$.find({ tags: "vip" }, { projection: { name: 1 } });
    expect(projected[0]).toEqual({ _id: "p000", name: "person 0" });
    expect(await people$.update({ city: "Kyoto" }, { $inc: { age: 1 } })).toBe(100);
    expect(await people$.delete({ age: { $lt: 20 } })).toBeGreaterThan(0);
    const count = await people$.count();
    expect(count).toBeLessThan(300);
    expect((await vault.collections()).find((c) => c.name === "people")).toMatchObject({
      count,
      indexes: ["city"],
    });
  });
});

describe("requests are signed", () => {
  test("unsigned, foreign, replayed and stale requests are refused", async () => {
    const url = `${nodeUrl(0)}/vaults/${vault.vaultId}`;
    expect((await fetch(url)).status).toBe(400);
    const stranger = net.h.wallet(9);
    const sign = (account: WalletClient) =>
      vaultAuthorizer({
        address: account.account?.address as string,
        chainId: net.deployment.chainId,
        vaultId: vault.vaultId,
        signMessage: (message) => account.signMessage({ account: account.account!, message }),
      });
    const foreign = await sign(stranger)("GET", `/vaults/${vault.vaultId}`, 0);
    const refused = await fetch(url, { headers: { [VAULT_AUTH_HEADER]: foreign } });
    expect(refused.status).toBe(403);
    const header = await sign(net.h.wallet(8))("GET", `/vaults/${vault.vaultId}`, 0);
    expect((await fetch(url, { headers: { [VAULT_AUTH_HEADER]: header } })).status).toBe(200);
    const again = await fetch(url, { headers: { [VAULT_AUTH_HEADER]: header } });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("NODE_ERR_REPLAYED");
    // the signature covers the path: one made for another path does not pass
    const other = await sign(net.h.wallet(8))("GET", `/vaults/${vault.vaultId}/db`, 0);
    expect((await fetch(url, { headers: { [VAULT_AUTH_HEADER]: other } })).status).toBe(401);
  });

  test("an app key does what its grant scopes until it is revoked", async () => {
    const app = privateKeyToAccount(`0x${"ab".repeat(32)}`);
    const appClient = createVaultNodeClient({
      baseUrl: nodeUrl(0),
      vaultId: vault.vaultId,
      authorize: vaultAuthorizer({
        address: app.address,
        chainId: net.deployment.chainId,
        vaultId: vault.vaultId,
        signMessage: (message) => app.signMessage({ message }),
      }),
    });
    await expect(appClient.stat("notes/a.txt")).rejects.toMatchObject({ status: 403 });
    await vault.grantKey({
      address: app.address,
      scopes: ["files:read", "db:write"],
      expires: Math.floor(Date.now() / 1000) + 600,
    });
    expect((await appClient.stat("notes/a.txt")).size).toBe(11);
    expect((await appClient.count("people")).count).toBeGreaterThan(0);
    await expect(appClient.putFile("x", (async function* () {})(), 0)).rejects.toMatchObject({ status: 403 });
    await vault.revokeKey(app.address);
    await expect(appClient.stat("notes/a.txt")).rejects.toMatchObject({ status: 403 });
  });
});

describe("snapshots", () => {
  let first: Awaited<ReturnType<VaultClient["snapshot"]>>;

  test("a snapshot is committed on chain and mirrored by the indexer", async () => {
    const states: string[] = [];
    first = await vault.snapshot({ onProgress: (job) => states.push(job.state) });
    expect(states).toContain("uploading");
    expect(states.at(-1)).toBe("done");
    const info = await vault.info();
    expect(info.sequence).toBe(first.sequence);
    expect(info.manifestHash).toBe(keccak256(CID.parse(first.manifest).bytes));
    await net.indexed();
    const { snapshots } = await owner.indexer.vaults.snapshots(vault.vaultId);
    expect(snapshots[0]).toMatchObject({ sequence: first.sequence });
  });

  test("the same content gives the same manifest after a restart", async () => {
    const client = await vault.node();
    const before = await client.manifest();
    await net.started.restart(0);
    const after = await client.manifest();
    expect(after.manifest).toBe(before.manifest);
    expect(after.sequence).toBe(first.sequence + 1);
  });

  test("the same content gives the same manifest on two nodes", async () => {
    const twin = await owner.vaults.open({ home: nodeId(1), quota: 64 * MiB, epochs: 4 });
    for (const [path, bytes] of files) await twin.put(path, bytes);
    const mine = await (await vault.node()).manifest();
    const theirs = await (await twin.node()).manifest();
    // same files, no collections, first snapshot: only the collections and the lineage differ
    expect(theirs.sequence).toBe(1);
    const fresh = await owner.vaults.open({ home: nodeId(2), quota: 64 * MiB, epochs: 4 });
    for (const [path, bytes] of files) await fresh.put(path, bytes);
    expect((await (await fresh.node()).manifest()).manifest).toBe(theirs.manifest);
    expect(mine.manifest).not.toBe(theirs.manifest);
  });

  test("an incremental snapshot ships only the changed blocks", async () => {
    const extra = new Map(
      Array.from({ length: 12 }, (_, i) => [`set/${i}.bin`, randomBytes(MiB, 100 + i)] as const),
    );
    for (const [path, bytes] of extra) await vault.put(path, bytes);
    const base = await vault.snapshot();
    expect(base.newBytes).toBeGreaterThanOrEqual(12 * MiB);
    await vault.put("set/5.bin", randomBytes(MiB, 999));
    const next = await vault.snapshot();
    expect(next.newBytes).toBeGreaterThan(0);
    expect(next.newBytes).toBeLessThanOrEqual(1.1 * MiB);
    expect(next.blobs).toEqual([...base.blobs, next.blobs.at(-1)]);
  });

  test("a second snapshot while one runs gets 409", async () => {
    const client = await vault.node();
    const job = await client.snapshot();
    await expect(client.snapshot()).rejects.toMatchObject({ status: 409, code: "NODE_ERR_JOB_RUNNING" });
    for await (const _ of client.follow(job.id)) {
      // to its end
    }
    expect((await client.job(job.id)).state).toBe("done");
  });
});

describe("migration", () => {
  test("writes get 423 while the vault migrates; the home moves only with the target's signature", async () => {
    const before = await contents(vault);
    const beforeAnswers = await answers(vault);
    const home = await vault.node();
    const job = await home.migrate(nodeId(2));
    await until(
      "the migration to await the move",
      async () => (await home.job(job.id)).state === "awaiting-move",
      60_000,
    );
    await expect(vault.put("late.txt", new Uint8Array(3))).rejects.toMatchObject({
      status: 423,
      code: "NODE_ERR_VAULT_FROZEN",
    });
    const { result } = await home.job(job.id);
    const signature = result?.signature as `0x${string}`;
    // node 3's signature moves the home to node 3 only
    await expect(
      net.h.publicClient.simulateContract({
        account: net.h.wallet(8).account!,
        address: net.deployment.contracts.vaults,
        abi: vaultRegistryAbi,
        functionName: "moveHome",
        args: [BigInt(vault.vaultId), nodeId(1), signature],
      }),
    ).rejects.toThrow(/VaultRegistryInvalidRestore/);
    await moveHome(net, vault.vaultId, nodeId(2), signature);
    await until("the migration to end", async () => (await home.job(job.id)).state === "done", 30_000);
    expect((await vault.info()).home).toBe(nodeId(2));
    // the new home has every byte and answers every query the same
    expect(await contents(vault)).toEqual(before);
    expect(await answers(vault)).toEqual(beforeAnswers);
    await vault.put("after.txt", new TextEncoder().encode("on node 3"));
    // the old home is read-only: it serves reads, refuses writes
    expect((await vault.status({ nodeId: nodeId(0) })).mode).toBe("moved");
    expect(
      Buffer.compare(
        await vault.get("notes/a.txt", { nodeId: nodeId(0) }),
        files.get("notes/a.txt") as Uint8Array,
      ),
    ).toBe(0);
    await expect(home.putFile("x.txt", (async function* () {})(), 0)).rejects.toMatchObject({ status: 409 });
  });

  test("one command: migrate back with the SDK", async () => {
    const before = await contents(vault);
    const states = new Set<string>();
    await vault.migrate(nodeId(0), { onProgress: (job) => states.add(job.state) });
    expect([...states]).toEqual(expect.arrayContaining(["uploading", "restoring", "awaiting-move", "done"]));
    expect((await vault.info()).home).toBe(nodeId(0));
    expect(await contents(vault)).toEqual(before);
  });
});

describe("restore", () => {
  test("a home that disappeared: restore on another node from the last committed snapshot (a cold one)", async () => {
    await vault.put("notes/a.txt", new TextEncoder().encode("changed"));
    const snap = await vault.snapshot({ tier: "cold" });
    // the last pack is erasure-coded on all three nodes: the two left give it back
    const pack = await owner.status(snap.blobs.at(-1) as `0x${string}`);
    expect(pack).toMatchObject({ tier: "cold", status: "certified" });
    expect(pack.nodes).toHaveLength(3);
    const before = await contents(vault);
    const beforeAnswers = await answers(vault);
    await net.started.nodes[0]?.stop();
    try {
      await net.indexed();
      const restored = await vault.restore(nodeId(1));
      expect(restored.sequence).toBe(snap.sequence);
      expect((await vault.info()).home).toBe(nodeId(1));
      expect(await contents(vault)).toEqual(before);
      expect(await answers(vault)).toEqual(beforeAnswers);
    } finally {
      await net.started.restart(0);
    }
  });

  test("cancel stops a job within a second and nothing is certified", async () => {
    await net.started.restart(1, { fault: { mode: "none", dropFraction: 0, pauseVaultJobsAt: "uploading" } });
    try {
      const home = await vault.node();
      const { sequence } = await vault.info();
      const fromBlock = await net.h.publicClient.getBlockNumber();
      await vault.put("notes/new.txt", new TextEncoder().encode("not in any snapshot yet"));
      const job = await home.snapshot();
      await until(
        "the snapshot to upload",
        async () => (await home.job(job.id)).state === "uploading",
        30_000,
      );
      const started = Date.now();
      const cancelled = await home.cancel(job.id);
      expect(cancelled.state).toBe("cancelled");
      expect(Date.now() - started).toBeLessThan(1_000);
      await sleep(1_500);
      // its pack was registered, never certified; the vault's snapshot did not move
      const logs = (eventName: "BlobRegistered" | "BlobCertified") =>
        net.h.publicClient.getContractEvents({
          address: net.deployment.contracts.market,
          abi: storageMarketAbi,
          eventName,
          fromBlock,
        });
      expect(await logs("BlobRegistered")).not.toHaveLength(0);
      expect(await logs("BlobCertified")).toHaveLength(0);
      expect((await vault.info()).sequence).toBe(sequence);
    } finally {
      await net.started.restart(1, { fault: { mode: "none", dropFraction: 0 } });
    }
  });
});

describe("a restore checks before it writes", () => {
  let small: VaultClient;
  const marker = Buffer.from("strata-vault-marker:".padEnd(48, "#"));

  beforeAll(async () => {
    small = await owner.vaults.open({ home: nodeId(0), quota: 16 * MiB, epochs: 4 });
    // a file whose bytes can be found in a holder's blockstore
    const bytes = Buffer.concat(
      Array.from({ length: 3 * 8192 }, (_, i) =>
        Buffer.concat([marker, Buffer.from(String(i).padStart(80, "0"))]),
      ),
    );
    await small.put("marked.bin", bytes);
    await small.snapshot({ replicas: 1 });
    await net.indexed();
  });

  test("a snapshot larger than the target's free storage is refused (507) before any write", async () => {
    await net.started.restart(2, { storage: { ...net.started.configs[2]!.storage, max: MiB } });
    try {
      await expect(small.restore(nodeId(2))).rejects.toMatchObject({
        status: 507,
        code: "NODE_ERR_STORAGE_FULL",
      });
      expect(await readdir(join(net.started.configs[2]!.dataDir, "vaults")).catch(() => [])).not.toContain(
        String(small.vaultId),
      );
      expect((await small.info()).home).toBe(nodeId(0));
    } finally {
      await net.started.restart(2, { storage: net.started.configs[2]!.storage });
    }
  });

  test("one flipped byte in a stored block fails the restore, names the CID, leaves the target untouched", async () => {
    const { snapshots } = await owner.indexer.vaults.snapshots(small.vaultId);
    const blob = await owner.status((snapshots[0]?.blobs[0] ?? "0x") as `0x${string}`);
    const holder = net.started.nodes.findIndex((_, index) => nodeId(index) === blob.nodes[0]);
    expect(holder).toBeGreaterThanOrEqual(0);
    // flip a byte of the file's bytes where the holder keeps them, then restart it (no cached copy)
    const blocks = join(net.started.configs[holder]!.dataDir, "blocks");
    let flipped = 0;
    for (const entry of await readdir(blocks, { recursive: true })) {
      const path = join(blocks, entry);
      if (!(await stat(path)).isFile()) continue;
      const bytes = await readFile(path);
      const at = bytes.indexOf(marker);
      if (at < 0 || flipped > 0) continue;
      bytes[at + 5] ^= 0xff;
      await writeFile(path, bytes);
      flipped += 1;
    }
    expect(flipped).toBe(1);
    await net.started.restart(holder);
    const target = [1, 2].find((index) => index !== holder) as number;
    const error = await small.restore(nodeId(target)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultJobError);
    const job = (error as VaultJobError).job;
    expect(job.error?.code).toBe("NODE_ERR_BLOCK_CORRUPT");
    const named = /block (\S+) /.exec(job.error?.message ?? "")?.[1] as string;
    const chunks = (await small.stat("marked.bin")).chunks;
    expect(chunks).toContain(named);
    // nothing of it on the target, and the chain still homes it where it was
    const left = await readdir(join(net.started.configs[target]!.dataDir, "vaults"));
    expect(left.filter((name) => name.startsWith(`${small.vaultId}`))).toEqual([]);
    expect((await small.info()).home).toBe(nodeId(0));
  });

  test("a closed vault refunds what is left and takes no more writes", async () => {
    const before = await owner.balance();
    const { escrow } = await small.info();
    await small.close();
    expect(await owner.balance()).toBeGreaterThan(before);
    expect(escrow).toBeGreaterThan(0n);
    // the home reads the chain's record at most a second old: the refusal follows within it
    await until("the home to see the vault closed", () =>
      small.put("late.bin", new Uint8Array(1)).then(
        () => false,
        () => true,
      ),
    );
    await expect(small.put("late.bin", new Uint8Array(1))).rejects.toMatchObject({
      status: 404,
      code: "NODE_ERR_VAULT_UNKNOWN",
    });
  });
});
