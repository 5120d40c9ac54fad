import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prepareBlob, registerCold, storeCold } from "../helpers/blob-upload.ts";
import { marketActions } from "../helpers/market-actions.ts";
import { startNodes } from "../helpers/node-harness.ts";
import {
  connectStrata,
  contractsFor,
  randomBytes,
  type StrataHarness,
  type TestNode,
  testParams,
} from "../helpers/strata-fixture.ts";

const h: StrataHarness = await connectStrata();
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

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const url = (index: number) => running.nodes[index]?.url as string;
const holdersAt = (indexes: number[]) =>
  indexes.map((i) => ({ nodeId: (nodes[i] as TestNode).nodeId, endpoint: url(i) }));

async function stats(index: number) {
  return (await (await fetch(`${url(index)}/stats`)).json()) as {
    cold: {
      rebuilds: number;
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
        body,
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
    // k helpers send two symbols per stripe: one shard's worth, about 2/k of the blob
    expect(after.cold.repairBytesIn - before.cold.repairBytesIn).toBe(cold.layout.shardSize);
    const meta = (await (await fetch(`${url(5)}/shard/${cold.blobId}/meta`)).json()) as { shardRoots: Hex[] };
    expect(meta.shardRoots).toEqual(cold.shardRoots);
  });
});
