// End to end, in real processes on loopback: `hardhat node`, three storage-node processes and the
// indexer process (the devnet), dApps uploading with viem and with ethers through the SDK, time
// moved period by period, a node stopped, and the strata CLI as a user runs it.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { JsonRpcProvider, Wallet } from "ethers";
import { type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeRegistryAbi, proofSystemAbi, storageMarketAbi } from "#protocol";
import { devnetKey } from "../../devnet/hardhat-chain.ts";
import { type Devnet, FIRST_DAPP_ACCOUNT, freePort, startDevnet } from "../../devnet/start-devnet.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { StrataClient } from "../../sdk/client/strata-client.ts";
import type { UploadResult } from "../../sdk/index.ts";
import { until as waitUntil } from "../helpers/wait-until.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

let net: Devnet;
let dir: Awaited<ReturnType<typeof tempDir>>;
const big = randomBytes(10 << 20);
const small = randomBytes(1 << 20);
let viemUpload: UploadResult;
let ethersUpload: UploadResult;

async function rpc(method: string, params: unknown[] = []) {
  return net.publicClient.request({ method, params } as never);
}

async function currentPeriod(): Promise<number> {
  return Number(
    await net.publicClient.readContract({
      address: net.deployment.contracts.proofSystem,
      abi: proofSystemAbi,
      functionName: "currentPeriod",
    }),
  );
}

/** Moves the chain's clock to the start of the next period; returns that period. */
async function nextPeriod(): Promise<number> {
  const { genesis, periodSeconds } = net.deployment.params;
  const now = Number((await net.publicClient.getBlock()).timestamp);
  const next = now - ((now - genesis) % periodSeconds) + periodSeconds;
  await rpc("evm_increaseTime", [next - now + 1]);
  await rpc("evm_mine");
  return currentPeriod();
}

/** Like the helper, with the devnet's longer waits; a probe that throws (a service still starting) is "not yet". */
const until = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000) =>
  waitUntil(what, () => probe().catch(() => undefined), timeoutMs);

const isProven = (nodeId: number, period: number) =>
  net.publicClient.readContract({
    address: net.deployment.contracts.proofSystem,
    abi: proofSystemAbi,
    functionName: "isProven",
    args: [nodeId, period],
  });

const operator = (index: number) =>
  new StrataClient({
    deployment: net.deployment,
    publicClient: net.publicClient,
    signer: (() => {
      const key = devnetKey(1 + index);
      return new Wallet(
        key,
        new JsonRpcProvider(net.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 100 }),
      );
    })(),
    indexerUrl: net.indexerUrl,
  });

beforeAll(async () => {
  dir = await tempDir("e2e");
  net = await startDevnet({
    root: ROOT,
    dataDir: join(dir.path, "devnet"),
    chainPort: await freePort(),
    nodePort: 0,
    indexerPort: 0,
    logLevel: "warn",
  });
}, 180_000);

afterAll(async () => {
  await net?.stop();
  // STRATA_KEEP_TEST_DIRS=1 keeps the devnet's logs and data for a look after a failure
  if (process.env.STRATA_KEEP_TEST_DIRS === "1") console.log(`devnet kept in ${dir?.path}`);
  else await dir?.cleanup();
});

describe("a dApp uploads through contract calls", () => {
  test("with a viem wallet: 10 MiB on 3 nodes, certified on chain", async () => {
    const stages = new Set<string>();
    viemUpload = await net.dappClient(0).upload(big, {
      replicas: 3,
      name: "big.bin",
      tags: ["e2e"],
      onProgress: (p) => stages.add(p.stage),
    });
    expect(viemUpload.nodes.map((n) => n.nodeId).sort()).toEqual(net.nodes.map((n) => n.nodeId).sort());
    expect([...stages]).toEqual(["hashing", "paying", "registering", "uploading", "certifying", "done"]);
    const status = await net.dappClient(0).status(viemUpload.blobId);
    expect(status.status).toBe("certified");
    expect(status.attested).toBe(3);
    expect({ live: status.liveHolders, target: status.targetHolders }).toEqual({ live: 3, target: 3 });
    expect(status.size).toBe(big.length);
    const receipt = await net.publicClient.getTransactionReceipt({ hash: viemUpload.transactions.certify });
    expect(
      parseEventLogs({ abi: storageMarketAbi, logs: receipt.logs, eventName: "BlobCertified" }),
    ).toHaveLength(1);
  });

  test("with an ethers signer: 1 MiB on 3 nodes, certified on chain", async () => {
    const key = devnetKey(FIRST_DAPP_ACCOUNT + 1);
    const signer = new Wallet(
      key,
      new JsonRpcProvider(net.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 100 }),
    );
    const client = new StrataClient({
      deployment: net.deployment,
      rpcUrl: net.rpcUrl,
      signer,
      indexerUrl: net.indexerUrl,
    });
    ethersUpload = await client.upload(small, { replicas: 3, mimeType: "application/x-test" });
    const status = await client.status(ethersUpload.blobId);
    expect(status.status).toBe("certified");
    expect(status.owner).toBe(await signer.getAddress());
    expect(status.nodes).toHaveLength(3);
  });

  test("the indexer routes each CID to its three nodes, and get returns identical bytes", async () => {
    for (const upload of [viemUpload, ethersUpload]) {
      const route = await until("the certified route", async () => {
        const r = await net.dappClient(0).indexer.route(upload.cid);
        return r.nodes.length === 3 && r.nodes.every((n) => n.certified) && r;
      });
      expect(route.nodes.map((n) => n.endpoint).sort()).toEqual(net.nodes.map((n) => n.url).sort());
    }
    expect(Buffer.compare(await net.dappClient(2).get(viemUpload.cid), big)).toBe(0);
    expect(Buffer.compare(await net.dappClient(2).get(ethersUpload.cid), small)).toBe(0);
  });
});

describe("the cold tier on the devnet", () => {
  test("a cold upload over the 3 nodes reads back through the indexer, rebuilt from its shards", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 123);
    const client = net.dappClient(1);
    const upload = await client.upload(data, { tier: "cold", replicas: 3, faults: 1, name: "cold.bin" });
    expect(upload.cold).toMatchObject({ recovery: 2, faults: 1 });
    expect(upload.cold?.shardRoots).toHaveLength(3);
    const status = await client.status(upload.blobId);
    expect(status).toMatchObject({ status: "certified", tier: "cold", attested: 3 });
    await until("the cold route", async () => {
      const route = await client.indexer.route(upload.cid);
      return route.nodes.length === 3 && route.nodes.every((n) => n.certified);
    });
    expect(Buffer.compare(await net.dappClient(2).get(upload.cid), data)).toBe(0);
  });

  test("migrate: a hot blob to cold through its holder, the hot registration deleted, then back to hot", async () => {
    const data = randomBytes(1024 * 1024 + 7);
    const client = net.dappClient(0);
    const hot = await client.upload(data, { replicas: 1, name: "to-be-cold.bin" });
    await until("the indexer knows the hot blob", async () => (await client.status(hot.blobId)).indexed);
    const moved = await client.migrate(hot.blobId, { to: "cold", replicas: 3, faults: 1, deleteHot: true });
    if (moved.to !== "cold") throw new Error("expected a cold migration");
    expect(moved.cold.cid).toBe(hot.cid);
    expect(moved.deleted).toBeDefined();
    expect((await client.status(moved.cold.blobId)).status).toBe("certified");
    expect((await client.status(hot.blobId)).status).toBe("deleted");
    await until(
      "the indexer knows the cold blob",
      async () => (await client.status(moved.cold.blobId)).indexed,
    );
    expect(Buffer.compare(await net.dappClient(2).get(hot.cid), data)).toBe(0);
    const back = await client.migrate(moved.cold.blobId, { to: "hot" });
    if (back.to !== "hot") throw new Error("expected a hot migration");
    expect(back).toMatchObject({ cid: hot.cid, size: data.length });
    const response = await fetch(`${back.endpoint}/file/${hot.cid}`);
    expect(response.headers.get("x-strata-tier")).toBeNull();
    expect(Buffer.compare(Buffer.from(await response.arrayBuffer()), data)).toBe(0);
  });
});

describe("nodes prove and are paid", () => {
  test("every node proves each period, then claims its pay", async () => {
    const start = (await net.dappClient(0).status(viemUpload.blobId)).startPeriod;
    for (let period = await currentPeriod(); period <= start; ) period = await nextPeriod();
    for (let round = 0; round < 2; round++) {
      const period = await currentPeriod();
      for (const node of net.nodes) {
        await until(`node ${node.nodeId} to prove period ${period}`, () => isProven(node.nodeId, period));
      }
      await nextPeriod();
    }
    for (const [index, node] of net.nodes.entries()) {
      const client = operator(index);
      const before = await client.balance();
      const { amount, blobs } = await client.claim(node.nodeId);
      // the viem and ethers uploads, and the two cold blobs (each node keeps one shard of each)
      expect(blobs).toBe(4);
      expect(amount).toBeGreaterThan(0n);
      expect(await client.balance()).toBe(before + amount);
    }
  });
});

describe("a node goes down", () => {
  test("reads fail over to another node", async () => {
    const down = net.nodes[2]!;
    await down.service.stop();
    const failures: number[] = [];
    const chunks: Uint8Array[] = [];
    const order = [down, ...net.nodes.slice(0, 2)].map((n) => ({ nodeId: n.nodeId, endpoint: n.url }));
    for await (const chunk of net
      .dappClient(0)
      .stream(viemUpload.cid, { nodes: order, onFailure: (f) => failures.push(f.nodeId) })) {
      chunks.push(chunk);
    }
    expect(failures).toEqual([down.nodeId]);
    expect(Buffer.compare(Buffer.concat(chunks), big)).toBe(0);
    // and through the indexer's route, whatever order it gives
    expect(Buffer.compare(await net.dappClient(0).get(viemUpload.cid), big)).toBe(0);
  });

  test("its missed proof is reported by the other nodes, warned and slashed", async () => {
    const down = net.nodes[2]!;
    const stakeOf = async () =>
      (
        await net.publicClient.readContract({
          address: net.deployment.contracts.registry,
          abi: nodeRegistryAbi,
          functionName: "getNode",
          args: [down.nodeId],
        })
      ).stake;
    const before = await stakeOf();
    const missed = await nextPeriod();
    await nextPeriod();
    const logs = await until("a ProofMissed report", async () => {
      const found = parseEventLogs({
        abi: proofSystemAbi,
        eventName: "ProofMissed",
        logs: await net.publicClient.getLogs({
          address: net.deployment.contracts.proofSystem,
          fromBlock: 0n,
        }),
      }).filter((log) => log.args.nodeId === down.nodeId && log.args.period === missed);
      return found.length > 0 && found;
    });
    expect(logs).toHaveLength(1);
    const reporter = logs[0]!.args.reporter;
    expect(reporter).not.toBe("0x0000000000000000000000000000000000000000");
    expect(await stakeOf()).toBeLessThan(before);
    // the indexer catches up with the chain: the misses, the slashes, the stake left
    const indexed = await until("the indexer to show the miss and the slash", async () => {
      const node = await net.dappClient(0).indexer.node(down.nodeId);
      return node.missedProofs >= 1 && node.slashes >= 1 && BigInt(node.stake) === (await stakeOf()) && node;
    });
    expect(indexed.recentMisses.length).toBeGreaterThanOrEqual(1);
    expect(BigInt(indexed.stake)).toBeLessThan(before);
  });
});

describe("the strata CLI", () => {
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const common = [
      "--rpc-url",
      net.rpcUrl,
      "--deployment",
      net.deploymentFile,
      ...(args.includes("--indexer") ? [] : ["--indexer", net.indexerUrl]),
    ];
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [join(ROOT, "cli", "strata.ts"), ...args, ...common],
        {
          env: { ...process.env, ...env },
          maxBuffer: 16 << 20,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const key = devnetKey(FIRST_DAPP_ACCOUNT + 2);

  test("uploads a file and gets it back, byte for byte", async () => {
    const data = randomBytes(3 << 20);
    const file = join(dir.path, "cli-upload.bin");
    await writeFile(file, data);
    const up = await cli(["upload", file, "--nodes", "1,2", "--tag", "cli", "--json"], {
      STRATA_PRIVATE_KEY: key,
    });
    expect(up.code, up.stderr).toBe(0);
    const result = JSON.parse(up.stdout) as { blobId: Hex; cid: string; nodes: { nodeId: number }[] };
    expect(result.nodes.map((n) => n.nodeId)).toEqual([1, 2]);
    const status = await cli(["status", result.blobId, "--json"]);
    expect(JSON.parse(status.stdout).status).toBe("certified");
    await until(
      "the route",
      async () => (await net.dappClient(0).indexer.route(result.cid)).nodes.length === 2,
    );
    const out = join(dir.path, "cli-download.bin");
    const get = await cli(["get", result.cid, "--out", out, "--json"]);
    expect(get.code, get.stderr).toBe(0);
    expect(Buffer.compare(await readFile(out), data)).toBe(0);
  });

  test("names: publish, resolve (online and offline), history, the node's gateway through the name, lock", async () => {
    const data = randomBytes(200_000);
    const file = join(dir.path, "cli-site.bin");
    await writeFile(file, data);
    const env = { STRATA_PRIVATE_KEY: key, STRATA_HOME: join(dir.path, "strata-home") };
    const up = await cli(["upload", file, "--nodes", "1,2", "--json"], env);
    expect(up.code, up.stderr).toBe(0);
    const { cid } = JSON.parse(up.stdout) as { cid: string };
    await until("the route", async () => (await net.dappClient(0).indexer.route(cid)).nodes.length === 2);

    const published = await cli(["name", "publish", "site", `/ipfs/${cid}`, "--ttl", "1m", "--json"], env);
    expect(published.code, published.stderr).toBe(0);
    const name = JSON.parse(published.stdout) as {
      nameId: Hex;
      ipnsName: string;
      owner: string;
      sequence: string;
      mirroredOn: number[];
    };
    expect(name.sequence).toBe("1");
    // the nodes took the record once the update had their confirmations
    expect(name.mirroredOn.sort()).toEqual([1, 2]);

    const resolved = await until("the name indexed", async () => {
      const r = await cli(["name", "resolve", `${name.owner}/site`, "--json"], env);
      return r.code === 0 && (JSON.parse(r.stdout) as { cid: string; ttl: number });
    });
    expect(resolved).toMatchObject({ cid, ttl: 60 });
    const own = await cli(["name", "resolve", "site", "--json"], env);
    expect(JSON.parse(own.stdout).nameId).toBe(name.nameId);
    // offline: this machine's copy, no network (an indexer that is not there)
    const offline = await cli(
      ["name", "resolve", "site", "--offline", "--json", "--indexer", "http://127.0.0.1:9"],
      env,
    );
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ cid, offline: true });

    const node = (await net.dappClient(0).indexer.route(cid)).nodes[0]!.endpoint;
    const through = await fetch(`${node}/ipns/${name.ipnsName}`);
    expect(Buffer.compare(Buffer.from(await through.arrayBuffer()), data)).toBe(0);

    await cli(["name", "publish", "site", cid, "--no-mirror"], env);
    const history = await until("both updates indexed", async () => {
      const h = await cli(["name", "history", "site", "--json"], env);
      const parsed = JSON.parse(h.stdout) as { updates: { sequence: string }[] };
      return parsed.updates.length === 2 && parsed;
    });
    expect(history.updates.map((u) => u.sequence)).toEqual(["2", "1"]);

    const lock = await cli(["name", "lock", "site"], env);
    expect(lock.code, lock.stderr).toBe(0);
    const refused = await cli(["name", "publish", "site", cid], env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("locked");
    const nobody = await cli(["name", "resolve", `${name.owner}/nothing-here`], env);
    expect(nobody.code).toBe(3);
    const unreachable = await cli(
      ["name", "resolve", `${name.owner}/site`, "--indexer", "http://127.0.0.1:9"],
      env,
    );
    expect(unreachable.code).toBe(5);
  });

  test("db: create, insert from a file, index, find before and after commit, read on another machine, history", async () => {
    const env = { STRATA_PRIVATE_KEY: key, STRATA_HOME: join(dir.path, "db-home") };
    const created = await cli(["db", "create", "shop", "--replicas", "2", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const { owner } = JSON.parse(created.stdout) as { owner: string };
    const file = join(dir.path, "products.jsonl");
    await writeFile(
      file,
      Array.from({ length: 50 }, (_, i) =>
        JSON.stringify({ _id: `sku${i}`, price: i * 10, kind: i % 2 ? "tea" : "cup" }),
      ).join("\n"),
    );
    expect((await cli(["db", "insert", "shop", "products", file], env)).code).toBe(0);
    expect((await cli(["db", "index", "shop", "products", "price"], env)).code).toBe(0);
    const pending = await cli(["db", "find", "shop", "products", '{"price":{"$gte":470}}', "--json"], env);
    expect(pending.code, pending.stderr).toBe(0);
    expect((JSON.parse(pending.stdout) as { _id: string }[]).map((d) => d._id)).toEqual([
      "sku47",
      "sku48",
      "sku49",
    ]);
    const commit = await cli(["db", "commit", "shop", "--replicas", "2", "--json"], env);
    expect(commit.code, commit.stderr).toBe(0);
    expect(JSON.parse(commit.stdout)).toMatchObject({ committed: true, writes: 2, sequence: "2" });
    // another machine: no key, no copy, only the name
    const elsewhere = { STRATA_HOME: join(dir.path, "db-elsewhere") };
    const found = await until("the commit indexed", async () => {
      const r = await cli(
        ["db", "find", `${owner}/shop`, "products", '{"kind":"tea","price":{"$lt":40}}', "--json"],
        elsewhere,
      );
      return r.code === 0 && (JSON.parse(r.stdout) as { _id: string }[]).length === 2 && r;
    });
    expect((JSON.parse(found.stdout) as { _id: string }[]).map((d) => d._id).sort()).toEqual([
      "sku1",
      "sku3",
    ]);
    const history = await cli(["db", "history", `${owner}/shop`, "--json"], elsewhere);
    expect((JSON.parse(history.stdout) as { updates: unknown[] }).updates).toHaveLength(2);
    const missing = await cli(["db", "find", `${owner}/no-such-db`, "products"], elsewhere);
    expect(missing.code).toBe(3);
  });

  test("vault: create, put, ls, get, db, snapshot, migrate to another node, freeze", async () => {
    const env = { STRATA_PRIVATE_KEY: key };
    const [first, second] = net.nodes.map((node) => node.nodeId) as [number, number];
    const created = await cli(["vault", "create", "--node", String(first), "--quota", "64m", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const { vaultId } = JSON.parse(created.stdout) as { vaultId: number };
    const vault = String(vaultId);
    const file = join(dir.path, "vault-photo.bin");
    const photo = randomBytes(3 << 20);
    await writeFile(file, photo);
    expect((await cli(["vault", "put", vault, file, "photos/one.bin"], env)).code).toBe(0);
    const listed = await cli(["vault", "ls", vault, "photos/", "--json"], env);
    expect((JSON.parse(listed.stdout) as { files: { path: string; size: number }[] }).files).toEqual([
      expect.objectContaining({ path: "photos/one.bin", size: photo.length }),
    ]);
    const docs = JSON.stringify([
      { _id: "a", n: 1 },
      { _id: "b", n: 2 },
      { _id: "c", n: 3 },
    ]);
    expect((await cli(["vault", "db", vault, "notes", "insert", docs], env)).code).toBe(0);
    const snapshot = await cli(["vault", "snapshot", vault, "--json"], env);
    expect(snapshot.code, snapshot.stderr).toBe(0);
    expect(JSON.parse(snapshot.stdout)).toMatchObject({ sequence: 1 });
    const migrated = await cli(["vault", "migrate", vault, "--to", String(second), "--json"], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    const status = await cli(["vault", "status", vault, "--json"], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ home: second, mode: "live", files: 1 });
    const out = join(dir.path, "vault-photo.out");
    expect((await cli(["vault", "get", vault, "photos/one.bin", "--out", out], env)).code).toBe(0);
    expect(Buffer.compare(await readFile(out), photo)).toBe(0);
    const found = await cli(
      ["vault", "db", vault, "notes", "find", '{"n":{"$gte":2}}', "--sort", '{"n":-1}', "--json"],
      env,
    );
    expect((JSON.parse(found.stdout) as { docs: { _id: string }[] }).docs.map((d) => d._id)).toEqual([
      "c",
      "b",
    ]);
    expect((await cli(["vault", "freeze", vault], env)).code).toBe(0);
    const refused = await cli(["vault", "put", vault, file, "photos/two.bin"], env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("NODE_ERR_VAULT_FROZEN");
    expect((await cli(["vault", "freeze", vault, "--thaw"], env)).code).toBe(0);
    expect((await cli(["vault", "rm", vault, "photos/one.bin"], env)).code).toBe(0);
  });

  test("says what went wrong, with exit codes that mean something", async () => {
    const usage = await cli(["upload"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing argument");
    const unsigned = await cli(["upload", join(ROOT, "README.md")], { STRATA_PRIVATE_KEY: "" });
    expect(unsigned.code).toBe(2);
    const badCid = await cli(["get", "not-a-cid", "--out", join(dir.path, "x")]);
    expect(badCid.code).toBe(2);
    const unknown = await cli(["status", `0x${"00".repeat(32)}`]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("no blob");
    const help = await cli(["upload", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--replicas");
  });
});
