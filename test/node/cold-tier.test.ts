import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { StoreReply } from "../../api/node/index.ts";
import {
  certifyWith,
  prepareBlob,
  putToNode,
  registerCold,
  registerPrepared,
  storeCold,
} from "../../devnet/blob-upload.ts";
import { marketActions } from "../../devnet/market-actions.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import {
  connectStrata,
  contractsFor,
  randomBytes,
  type StrataHarness,
  type TestNode,
  testParams,
} from "../../devnet/strata-fixture.ts";
import { until as waitUntil } from "../helpers/wait-until.ts";

const h: StrataHarness = await connectStrata();
/** These waits span whole periods of several nodes: 30 s each. */
const until = <T>(what: string, check: () => Promise<T | undefined | false>) =>
  waitUntil(what, check, 30_000);
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;
const owner = () => h.wallet(8);

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 6);
  running = await startNodes(h, env.deployment, nodes, () => ({
    cold: { repair: true, promoteAfterReads: 2, demoteAfterMs: 1500, policyPeriodMs: 200 },
  }));
});
afterAll(async () => {
  await running?.stop();
});

const url = (index: number) => running.nodes[index]?.url as string;
const holdersAt = (indexes: number[]) =>
  indexes.map((i) => ({ nodeId: (nodes[i] as TestNode).nodeId, endpoint: url(i) }));

async function stats(index: number) {
  return (await (await fetch(`${url(index)}/stats`)).json()) as {
    cold: {
      rebuilds: number;
      cidMismatches: number;
      holdersLeftOut: number;
      repairs: number;
      repairBytesIn: number;
      coldReads: number;
      lazyLoads: number;
      promotions: number;
      demotions: number;
      hotCopies: { cid: string; promoted: boolean; reads: number }[];
    };
  };
}

async function read(index: number, cid: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url(index)}/file/${cid}`, { headers });
  return {
    status: response.status,
    tier: response.headers.get("x-strata-tier"),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

/** A cold blob of `size` bytes over nodes `indexes`, tolerating `faults`, stored and certified. */
async function coldBlob(size: number, seed: number, indexes: number[], faults: number) {
  const blob = await prepareBlob(randomBytes(size, seed));
  const cold = await registerCold(
    h,
    env.deployment,
    owner(),
    indexes.map((i) => nodes[i] as TestNode),
    blob,
    faults,
  );
  await storeCold(h, env.deployment, owner(), blob, cold, holdersAt(indexes));
  return { blob, cold };
}

describe("the cold tier over real nodes", () => {
  test("a cold blob over 5 nodes reads back, rebuilt and checked, with the 2 tolerated holders stopped", async () => {
    const { blob, cold } = await coldBlob(3_000_017, 71, [0, 1, 2, 3, 4], 2);
    expect(cold.layout.recovery).toBe(3);
    const info = await contractsFor(env.deployment, h.publicClient, owner()).market.read.getBlob([
      cold.blobId,
    ]);
    expect(info.status).toBe(2);
    expect(info.attested).toBe(0b11111);
    // holders 0 and 1 carry the blob's rows as they are: without them the rows are decoded
    await running.nodes[0]?.stop();
    await running.nodes[1]?.stop();
    try {
      const whole = await read(3, blob.cid);
      expect(whole.status).toBe(200);
      expect(whole.tier).toBe("cold");
      expect(whole.bytes.equals(Buffer.from(blob.data))).toBe(true);
      const part = await read(2, blob.cid, { range: "bytes=1000000-1000099" });
      expect(part.status).toBe(206);
      expect(part.bytes.equals(Buffer.from(blob.data.subarray(1_000_000, 1_000_100)))).toBe(true);
      expect((await stats(3)).cold.rebuilds).toBeGreaterThanOrEqual(1);
    } finally {
      await running.restart(0);
      await running.restart(1);
    }
  });

  test("a holder serving damaged bytes: the CID catches it, its commitment leaves it out, the read comes out right", async () => {
    const { blob, cold } = await coldBlob(1_200_000, 75, [0, 1, 2, 3, 4], 1);
    // holder 1's shard is damaged on disk, in the part a plain read takes from it
    const path = join(running.configs[1]?.dataDir as string, "shards", cold.blobId);
    const file = await open(path, "r+");
    try {
      await file.write(Buffer.alloc(64, 0xa5), 0, 64, cold.layout.symbolSize + 10);
    } finally {
      await file.close();
    }
    const before = (await stats(4)).cold;
    const whole = await read(4, blob.cid);
    expect(whole.status).toBe(200);
    expect(whole.tier).toBe("cold");
    expect(whole.bytes.equals(Buffer.from(blob.data))).toBe(true);
    const after = (await stats(4)).cold;
    expect(after.cidMismatches).toBe(before.cidMismatches + 1);
    expect(after.holdersLeftOut).toBe(before.holdersLeftOut + 1);
    expect(after.rebuilds).toBe(before.rebuilds + 1);
    const metrics = await (await fetch(`${url(4)}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`^strata_node_cold_holders_left_out_total ${after.holdersLeftOut}$`, "m"),
    );
    expect(metrics).toMatch(new RegExp(`^strata_node_cold_rebuilds_total ${after.rebuilds}$`, "m"));
    await rm(path);
  });

  test("shard data that does not match its commitment is refused, and nothing is kept", async () => {
    const blob = await prepareBlob(randomBytes(200_000, 72));
    const cold = await registerCold(
      h,
      env.deployment,
      owner(),
      [0, 1, 2, 3, 4].map((i) => nodes[i] as TestNode),
      blob,
      1,
    );
    const put = async (index: number, body: Uint8Array, roots: string) => {
      const response = await fetch(`${url(index)}/shard?blobId=${cold.blobId}`, {
        method: "PUT",
        body: body as BodyInit,
        headers: { "content-type": "application/octet-stream", "x-strata-shard-roots": roots },
      });
      return { status: response.status, json: (await response.json()) as { error?: { code: string } } };
    };
    const zero = new Uint8Array(cold.layout.shardSize);
    const roots = cold.shardRoots.join(",");
    expect(await put(0, zero, roots)).toMatchObject({
      status: 422,
      json: { error: { code: "NODE_ERR_CONTENT_MISMATCH" } },
    });
    const swapped = [cold.shardRoots[1], cold.shardRoots[0], ...cold.shardRoots.slice(2)].join(",");
    expect(await put(0, zero, swapped)).toMatchObject({
      status: 422,
      json: { error: { code: "NODE_ERR_INVALID_SHARDS" } },
    });
    expect((await put(0, zero, "0x12")).status).toBe(400);
    expect(await put(5, zero, roots)).toMatchObject({
      status: 403,
      json: { error: { code: "NODE_ERR_BLOB_NOT_REGISTERED" } },
    });
    expect((await put(0, zero.subarray(1), roots)).status).toBe(400);
    expect((await fetch(`${url(0)}/shard/${cold.blobId}/meta`)).status).toBe(404);
    expect((await fetch(`${url(0)}/shard/${cold.blobId}/repair?lost=1`)).status).toBe(404);
  });

  test("a destroyed shard is rebuilt from the others' repair symbols, then proven", async () => {
    const m = marketActions(h, env.deployment);
    const { cold } = await coldBlob(1_500_000, 73, [1, 2, 3, 4, 5], 1);
    const node = nodes[5] as TestNode;
    await rm(join(running.configs[5]?.dataDir as string, "shards", cold.blobId));
    const before = await stats(5);
    await m.nextPeriod();
    const period = await m.currentPeriod();
    await until("the shard repaired and the period proven", async () => {
      await h.networkHelpers.mine(1);
      return node.as.proofs.read.isProven([node.nodeId, period]);
    });
    const after = await stats(5);
    expect(after.cold.repairs).toBe(before.cold.repairs + 1);
    // k helpers send one symbol per stripe each: one shard's worth, 2/(k+1) of the blob
    expect(after.cold.repairBytesIn - before.cold.repairBytesIn).toBe(cold.layout.shardSize);
    const meta = (await (await fetch(`${url(5)}/shard/${cold.blobId}/meta`)).json()) as { shardRoots: Hex[] };
    expect(meta.shardRoots).toEqual(cold.shardRoots);
  });

  test("promotion after reads, demotion after idle time, both in /stats", async () => {
    const { blob } = await coldBlob(700_000, 74, [0, 1, 2, 3, 4], 1);
    const cid = blob.cid;
    const first = await read(2, cid);
    expect(first.tier).toBe("cold");
    expect(first.bytes.equals(Buffer.from(blob.data))).toBe(true);
    await until("the rebuilt copy kept hot", async () =>
      (await stats(2)).cold.hotCopies.find((copy) => copy.cid === cid),
    );
    const before = (await stats(2)).cold;
    const second = await read(2, cid);
    expect(second.tier).toBeNull(); // served from the hot tier
    expect(second.bytes.equals(Buffer.from(blob.data))).toBe(true);
    const promoted = (await stats(2)).cold;
    expect(promoted.promotions).toBe(before.promotions + 1);
    expect(promoted.hotCopies.find((copy) => copy.cid === cid)).toMatchObject({ promoted: true, reads: 2 });
    expect(promoted.rebuilds).toBe(before.rebuilds);
    // not read for demoteAfterMs (1.5 s): dropped from the hot tier, and the next read is cold again
    const demoted = await until("the copy demoted", async () => {
      const now = (await stats(2)).cold;
      return !now.hotCopies.some((copy) => copy.cid === cid) && now;
    });
    expect(demoted.demotions).toBeGreaterThan(promoted.demotions);
    const again = await read(2, cid);
    expect(again.tier).toBe("cold");
    expect(again.bytes.equals(Buffer.from(blob.data))).toBe(true);
    expect((await stats(2)).cold.coldReads).toBe(demoted.coldReads + 1);
  });

  test("POST /migrate moves a hot blob into its cold registration, and a cold blob back to hot", async () => {
    const data = randomBytes(900_000, 75);
    const blob = await prepareBlob(data);
    const hotId = await registerPrepared(h, env.deployment, owner(), [nodes[0] as TestNode], blob);
    const stored = (await putToNode(url(0), hotId, data)).json as StoreReply;
    await certifyWith(h, env.deployment, owner(), hotId, [stored]);
    const cold = await registerCold(
      h,
      env.deployment,
      owner(),
      [1, 2, 3, 4, 5].map((i) => nodes[i] as TestNode),
      blob,
      2,
    );
    const migrate = async (index: number, body: object) => {
      const response = await fetch(`${url(index)}/migrate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    expect(await migrate(0, { blobId: hotId, to: "cold" })).toMatchObject({
      status: 422,
      json: { error: { code: "NODE_ERR_INVALID_SHARDS" } },
    });
    expect((await migrate(0, { blobId: hotId, to: "sideways" })).status).toBe(400);
    const other = await registerCold(
      h,
      env.deployment,
      owner(),
      [1, 2, 3, 4, 5].map((i) => nodes[i] as TestNode),
      await prepareBlob(randomBytes(1000, 76)),
      1,
    );
    expect(await migrate(0, { blobId: hotId, to: "cold", coldBlobId: other.blobId })).toMatchObject({
      status: 422,
      json: { error: { code: "NODE_ERR_INVALID_SHARDS" } },
    });
    expect((await migrate(1, { blobId: hotId, to: "cold", coldBlobId: cold.blobId })).status).toBe(404);

    const moved = await migrate(0, { blobId: hotId, to: "cold", coldBlobId: cold.blobId });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ to: "cold", cid: blob.cid, certified: true, failures: [] });
    expect((moved.json.attested as number[]).sort()).toEqual(
      [1, 2, 3, 4, 5].map((i) => (nodes[i] as TestNode).nodeId),
    );
    const info = await contractsFor(env.deployment, h.publicClient, owner()).market.read.getBlob([
      cold.blobId,
    ]);
    expect(info.status).toBe(2);
    const coldRead = await read(5, blob.cid);
    expect(coldRead.tier).toBe("cold");
    expect(coldRead.bytes.equals(Buffer.from(data))).toBe(true);

    const back = await migrate(3, { blobId: cold.blobId, to: "hot" });
    expect(back).toMatchObject({ status: 200, json: { to: "hot", cid: blob.cid, size: data.length } });
    const copies = (await stats(3)).cold;
    expect(copies.hotCopies.find((copy) => copy.cid === blob.cid)).toMatchObject({ promoted: true });
    const hotRead = await read(3, blob.cid);
    expect(hotRead.tier).toBeNull();
    expect(hotRead.bytes.equals(Buffer.from(data))).toBe(true);
    expect((await stats(3)).cold.rebuilds).toBe(copies.rebuilds);
    expect((await migrate(3, { blobId: hotId, to: "hot" })).status).toBe(422);
  });

  test("a dropped holder's shard is taken over by another node, rebuilt, attested and proven", async () => {
    const m = marketActions(h, env.deployment);
    const { cold } = await coldBlob(400_000, 77, [0, 1, 2, 3, 4], 1);
    const market = contractsFor(env.deployment, h.publicClient, owner()).market;
    const lost = nodes[4] as TestNode;
    const newcomer = nodes[5] as TestNode;
    await running.restart(4, { prover: { enabled: false, pollMs: 200, watchdog: false } });
    const reporter = contractsFor(env.deployment, h.publicClient, h.wallet(9)).proofs;
    // misses in a row: each period reported as soon as it has ended
    await m.nextPeriod();
    for (let miss = 0; miss < testParams.missesToDrop; miss += 1) {
      const period = await m.currentPeriod();
      await until(`period ${period}'s seed`, async () => {
        await h.networkHelpers.mine(1);
        return (await reporter.read.seedOf([period])) !== `0x${"0".repeat(64)}`;
      });
      await m.nextPeriod();
      await h.wait(await reporter.write.reportMissedProof([lost.nodeId, period]));
    }
    expect((await reporter.read.nodeStanding([lost.nodeId]))[1]).toBe(true);
    const taken = await until("the shard reassigned and attested", async () => {
      await h.networkHelpers.mine(1);
      const info = await market.read.getBlob([cold.blobId]);
      return info.holders[4]?.nodeId === newcomer.nodeId && (info.attested & 0b10000) !== 0 && info;
    });
    expect(taken.dropped & 0b10000).toBe(0);
    expect(await market.read.shardRootOf([cold.blobId, 4])).toBe(cold.shardRoots[4]);
    await m.nextPeriod();
    await m.nextPeriod();
    const period = await m.currentPeriod();
    await until("the newcomer proves its new shard", async () => {
      await h.networkHelpers.mine(1);
      return newcomer.as.proofs.read.isProven([newcomer.nodeId, period]);
    });
  });
});
