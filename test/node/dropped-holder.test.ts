import { afterAll, beforeAll, expect, test } from "vitest";
import type { StoreReply } from "../../api/node/index.ts";
import { certifyWith, prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
import { marketActions } from "../../devnet/market-actions.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import {
  connectStrata,
  randomBytes,
  type StrataHarness,
  type TestNode,
} from "../../devnet/strata-fixture.ts";
import { until } from "../helpers/wait-until.ts";

const h: StrataHarness = await connectStrata();
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: [TestNode, TestNode];
let running: Awaited<ReturnType<typeof startNodes>>;

beforeAll(async () => {
  env = await h.deploy();
  nodes = (await h.registerNodes(env.deployment, 2)) as [TestNode, TestNode];
  // node 0 proves and reports misses; node 1 stops proving
  running = await startNodes(h, env.deployment, nodes, (index) => ({
    chain: { confirmations: 1, pollingMs: 100, receiptTimeoutMs: 30_000 },
    prover: { enabled: true, pollMs: 200, watchdog: index === 0 },
    fault: { mode: index === 0 ? "none" : "stop-proving", dropFraction: 0 },
  }));
});
afterAll(async () => {
  await running?.stop();
});

async function droppedStats(url: string) {
  const stats = (await (await fetch(`${url}/stats`)).json()) as {
    storage: { pinnedBlobs: number; droppedBlobs: number };
  };
  return stats.storage;
}

test("a holder dropped for missed proofs keeps serving its copy until the blob ends", async () => {
  const m = marketActions(h, env.deployment);
  const [prover, idle] = nodes;
  const owner = h.wallet(8);
  const blob = await prepareBlob(randomBytes(150_000, 7));
  const blobId = await registerPrepared(h, env.deployment, owner, nodes, blob);
  const replies: StoreReply[] = [];
  for (const node of running.nodes)
    replies.push((await putToNode(node.url, blobId, blob.data)).json as StoreReply);
  await certifyWith(h, env.deployment, owner, blobId, replies);

  // periods go by: node 0 proves each, its watchdog reports node 1's misses until node 1 is dropped
  for (let p = 0; p < 8 && !(await idle.as.proofs.read.nodeStanding([idle.nodeId]))[1]; p += 1) {
    await m.nextPeriod();
    const period = await m.currentPeriod();
    await until(`period ${period} proven by node 0 and ${period - 1} settled for node 1`, async () => {
      await h.networkHelpers.mine(1);
      if (!(await prover.as.proofs.read.isProven([prover.nodeId, period]))) return false;
      // nothing left to report for node 1's last period: reported, or not owed
      return prover.as.proofs.simulate.reportMissedProof([idle.nodeId, period - 1]).then(
        () => false,
        () => true,
      );
    });
  }
  expect((await idle.as.proofs.read.nodeStanding([idle.nodeId]))[1]).toBe(true);
  expect((await prover.as.market.read.getBlob([blobId])).dropped).toBe(2);

  const dropped = running.nodes[1]!;
  await until(
    "node 1 marking its copy dropped",
    async () => (await droppedStats(dropped.url)).droppedBlobs === 1,
  );
  // kept through new periods and sweeps, and still served
  await m.nextPeriod();
  for (let i = 0; i < 5; i += 1) {
    await h.networkHelpers.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(await droppedStats(dropped.url)).toMatchObject({ pinnedBlobs: 1, droppedBlobs: 1 });
  const read = await fetch(`${dropped.url}/file/${blob.cid}`);
  expect(read.status).toBe(200);
  expect(new Uint8Array(await read.arrayBuffer())).toEqual(blob.data);

  // the owner deletes the blob: now the copy goes, on both nodes
  await h.wait(await env.as(owner).market.write.deleteBlob([blobId]));
  await until("both copies released", async () => {
    await h.networkHelpers.mine(1);
    const statuses = await Promise.all(
      running.nodes.map((n) => fetch(`${n.url}/file/${blob.cid}`).then((r) => r.status)),
    );
    return statuses.every((s) => s === 404);
  });
  expect(await droppedStats(dropped.url)).toMatchObject({ pinnedBlobs: 0, droppedBlobs: 0 });
});
