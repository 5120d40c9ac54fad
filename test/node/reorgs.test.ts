import { afterAll, beforeAll, describe, expect, test } from "vitest";
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
let node: TestNode;
let running: Awaited<ReturnType<typeof startNodes>>;
let url: string;

beforeAll(async () => {
  env = await h.deploy();
  [node] = (await h.registerNodes(env.deployment, 1)) as [TestNode];
  running = await startNodes(h, env.deployment, [node], () => ({
    chain: { confirmations: 2, pollingMs: 100, receiptTimeoutMs: 30_000 },
  }));
  url = running.nodes[0]!.url;
});
afterAll(async () => {
  await running?.stop();
});

const owner = () => h.wallet(8);
const status = async (cid: string) => (await fetch(`${url}/file/${cid}`)).status;
const stats = async () =>
  (await (await fetch(`${url}/stats`)).json()) as {
    storage: { pinnedBlobs: number };
    proofs: { missed: number; lastPeriod: number | null };
  };

/** Registers, uploads to the node and certifies a blob of `size` bytes. */
async function storeBlob(size: number, seed: number) {
  const blob = await prepareBlob(randomBytes(size, seed));
  const blobId = await registerPrepared(h, env.deployment, owner(), [node], blob);
  const reply = await putToNode(url, blobId, blob.data);
  expect(reply.status).toBe(200);
  await certifyWith(h, env.deployment, owner(), blobId, [reply.json as StoreReply]);
  return { blob, blobId };
}

/** Waits until the node proved the current period, if it has anything to prove: the chain is then quiet. */
async function quiet(): Promise<void> {
  if ((await node.as.proofs.read.proofSet([node.nodeId])).length > 0) await provenNow();
}

/** Waits until the node proved the current period (mining, so the seed comes). */
async function provenNow(): Promise<number> {
  const period = await marketActions(h, env.deployment).currentPeriod();
  await until(`period ${period} proven`, async () => {
    await h.networkHelpers.mine(1);
    return node.as.proofs.read.isProven([node.nodeId, period]);
  });
  return period;
}

describe("a node follows reorgs", () => {
  test("a proof whose block is reorged away is sent again within the period, and no miss is reported", async () => {
    const m = marketActions(h, env.deployment);
    await storeBlob(200_000, 1);
    await m.nextPeriod();
    const fork = await h.networkHelpers.takeSnapshot();
    const period = await provenNow();

    await fork.restore();
    expect(await m.currentPeriod()).toBe(period);
    expect(await node.as.proofs.read.isProven([node.nodeId, period])).toBe(false);
    expect(await provenNow()).toBe(period);

    await m.nextPeriod();
    await h.networkHelpers.mine(1);
    await expect(
      env.as(h.wallet(9)).proofs.simulate.reportMissedProof([node.nodeId, period]),
    ).rejects.toThrow(/ProofsPeriodProven/);
    // the node settles the period when it proves the next one: not missed, since the chain has it proven
    await provenNow();
    await until(
      "the prover in the next period",
      async () => (await stats()).proofs.lastPeriod === period + 1,
    );
    expect((await stats()).proofs.missed).toBe(0);
  });

  test("a registration reorged away is released once the reorg is confirmed", async () => {
    await quiet(); // nothing of the node's own is undone below
    const fork = await h.networkHelpers.takeSnapshot();
    const blob = await prepareBlob(randomBytes(120_000, 2));
    const blobId = await registerPrepared(h, env.deployment, owner(), [node], blob);
    expect((await putToNode(url, blobId, blob.data)).status).toBe(200);
    expect(await status(blob.cid)).toBe(200);

    // the watcher reads the registration's blocks before they go
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    await fork.restore();
    // no block comes (the period is proven): not released before the confirmations
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await status(blob.cid)).toBe(200);
    await until("the copy released", async () => {
      await h.networkHelpers.mine(1);
      return (await status(blob.cid)) === 404;
    });
    expect(await node.as.proofs.read.isEnrolled([node.nodeId, blobId])).toBe(false);
  });

  test("events of the new branch below the old cursor are read", async () => {
    await quiet();
    const fork = await h.networkHelpers.takeSnapshot();
    await h.networkHelpers.mine(20);
    const oldHead = await h.publicClient.getBlockNumber();
    // the watcher reads past the fork point
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    await fork.restore();
    const { blob, blobId } = await storeBlob(80_000, 3);
    expect(await status(blob.cid)).toBe(200);
    await h.wait(await env.as(owner()).market.write.deleteBlob([blobId]));
    expect(await h.publicClient.getBlockNumber()).toBeLessThan(oldHead);
    // the deletion, at a block number the watcher had passed on the old branch, frees the copy
    await until("the deleted blob released", async () => {
      await h.networkHelpers.mine(1);
      return (await status(blob.cid)) === 404;
    });
  });
});
