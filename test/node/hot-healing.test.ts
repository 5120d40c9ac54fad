// Hot replicas heal themselves: holders dropped for missed proofs keep serving their copies, other
// hot nodes take their places on chain, fetch the replica (from the dropped holders too), check
// it, attest it, and the blob is whole again. Real nodes over loopback, the real chain.
import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { storageMarketAbi } from "#protocol";
import type { StoreReply } from "../../api/node/index.ts";
import { certifyWith, prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
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
const until = <T>(what: string, check: () => Promise<T | undefined | false>) =>
  waitUntil(what, check, 60_000);
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;
const owner = () => h.wallet(8);

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 6);
  running = await startNodes(h, env.deployment, nodes, () => ({
    chain: { confirmations: 1, pollingMs: 100, receiptTimeoutMs: 10_000 },
  }));
});
afterAll(async () => {
  await running?.stop();
});

const url = (index: number) => running.nodes[index]?.url as string;

async function storeHot(data: Uint8Array, holders: number[]) {
  const blob = await prepareBlob(data);
  const chosen = holders.map((i) => nodes[i] as TestNode);
  const blobId = await registerPrepared(h, env.deployment, owner(), chosen, blob, { epochs: 3 });
  const replies = await Promise.all(holders.map((i) => putToNode(url(i), blobId, data)));
  for (const reply of replies) expect(reply.status).toBe(200);
  await certifyWith(
    h,
    env.deployment,
    owner(),
    blobId,
    replies.map((reply) => reply.json as StoreReply),
  );
  return { ...blob, blobId };
}

async function readFrom(index: number, cid: string): Promise<Buffer> {
  const response = await fetch(`${url(index)}/file/${cid}`);
  expect(response.status, `node ${index} serving ${cid}`).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe("hot replicas heal themselves", () => {
  test("holders dropped for missed proofs keep serving; other hot nodes take their places and the blobs are whole again", async () => {
    const m = marketActions(h, env.deployment);
    const market = contractsFor(env.deployment, h.publicClient, owner()).market;
    const three = await storeHot(randomBytes(3 << 20, 31), [0, 1, 2]);
    // every holder of this one is about to be dropped
    const two = await storeHot(randomBytes(1 << 20, 32), [0, 1]);
    const firstBlock = await h.publicClient.getBlockNumber();

    for (const index of [0, 1]) {
      await running.restart(index, { prover: { enabled: false, pollMs: 200, watchdog: false } });
    }
    const reporter = contractsFor(env.deployment, h.publicClient, h.wallet(9)).proofs;
    await m.nextPeriod();
    for (let miss = 0; miss < testParams.missesToDrop; miss += 1) {
      const period = await m.currentPeriod();
      await until(`period ${period}'s seed`, async () => {
        await h.networkHelpers.mine(1);
        return (await reporter.read.seedOf([period])) !== `0x${"0".repeat(64)}`;
      });
      await m.nextPeriod();
      for (const index of [0, 1]) {
        await h.wait(await reporter.write.reportMissedProof([(nodes[index] as TestNode).nodeId, period]));
      }
      // the holders about to be dropped serve every read meanwhile
      for (const index of [0, 1]) {
        expect((await readFrom(index, three.cid)).equals(Buffer.from(three.data))).toBe(true);
        expect((await readFrom(index, two.cid)).equals(Buffer.from(two.data))).toBe(true);
      }
    }
    for (const index of [0, 1]) {
      expect((await reporter.read.nodeStanding([(nodes[index] as TestNode).nodeId]))[1]).toBe(true);
    }

    const whole = async (blobId: `0x${string}`) => {
      await h.networkHelpers.mine(1);
      const info = await market.read.getBlob([blobId]);
      const full = (1 << info.holders.length) - 1;
      return info.dropped === 0 && info.attested === full && info;
    };
    const healedThree = await until("the three-replica blob whole again", () => whole(three.blobId));
    const healedTwo = await until("the blob that lost every holder whole again", () => whole(two.blobId));
    const dropped = new Set([0, 1].map((i) => (nodes[i] as TestNode).nodeId));
    for (const [blob, info] of [
      [three, healedThree],
      [two, healedTwo],
    ] as const) {
      const ids = info.holders.map((holder) => holder.nodeId);
      expect(
        ids.some((id) => dropped.has(id)),
        "no dropped node left in the places",
      ).toBe(false);
      expect(new Set(ids).size).toBe(ids.length);
      // every holder now serves identical bytes
      for (const id of ids) {
        const index = nodes.findIndex((node) => node.nodeId === id);
        expect((await readFrom(index, blob.cid)).equals(Buffer.from(blob.data))).toBe(true);
      }
    }

    // the healers say so in /stats: two places per blob, each fetched whole
    let healed = 0;
    let fetched = 0;
    for (const index of [2, 3, 4, 5]) {
      const { heal } = (await (await fetch(`${url(index)}/stats`)).json()) as {
        heal: { healed: number; fetchedBytes: number };
      };
      healed += heal.healed;
      fetched += heal.fetchedBytes;
    }
    expect(healed).toBe(4);
    expect(fetched).toBeGreaterThanOrEqual(2 * three.size + 2 * two.size);
    // the dropped holders tell uploaders so before any byte is sent
    for (const index of [0, 1]) {
      const health = await fetch(`${url(index)}/health`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { code: string }).code).toBe("NODE_ERR_NODE_DROPPED");
    }

    // the chain said so: degraded at the drops, restored when the last place was attested again
    const logs = await h.publicClient.getLogs({
      address: env.deployment.contracts.market,
      fromBlock: firstBlock,
    });
    const events = parseEventLogs({ abi: storageMarketAbi, logs });
    for (const blob of [three, two]) {
      const mine = events.filter((event) => "blobId" in event.args && event.args.blobId === blob.blobId);
      expect(mine.filter((event) => event.eventName === "BlobDegraded").length).toBeGreaterThan(0);
      expect(mine.filter((event) => event.eventName === "HolderReassigned").length).toBe(2);
      expect(mine.at(-1)?.eventName).toBe("BlobRestored");
    }
  });
});
