import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { proofSystemAbi } from "#protocol";
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
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 2);
  // releases follow the chain at once here (test/node/reorgs.test.ts waits for confirmations)
  running = await startNodes(h, env.deployment, nodes, () => ({
    chain: { confirmations: 0, pollingMs: 100, receiptTimeoutMs: 30_000 },
  }));
});
afterAll(async () => {
  await running?.stop();
});

describe("prover and watcher", () => {
  test("a node proves every period from local data, and its operator is paid for them", async () => {
    const m = marketActions(h, env.deployment);
    const owner = h.wallet(8);
    const blobs = [];
    for (const [i, size] of [3_000_000, 700, 1_048_576].entries()) {
      const blob = await prepareBlob(randomBytes(size, 30 + i));
      const blobId = await registerPrepared(h, env.deployment, owner, nodes, blob, { epochs: 1 });
      const replies: StoreReply[] = [];
      for (const node of running.nodes)
        replies.push((await putToNode(node.url, blobId, blob.data)).json as StoreReply);
      await certifyWith(h, env.deployment, owner, blobId, replies);
      blobs.push({ blob, blobId });
    }
    const proven: number[] = [];
    for (let p = 0; p < 4; p += 1) {
      await m.nextPeriod();
      const period = await m.currentPeriod();
      // the provers commit the seed themselves and prove once it is known (blocks keep coming)
      await until(`period ${period} proven by both nodes`, async () => {
        await h.networkHelpers.mine(1);
        const done = await Promise.all(nodes.map((n) => n.as.proofs.read.isProven([n.nodeId, period])));
        return done.every(Boolean);
      });
      proven.push(period);
    }
    // the nodes sent the proofs of every proven period themselves, and the node counts its own
    const submitted = await h.publicClient.getContractEvents({
      address: env.deployment.contracts.proofSystem,
      abi: proofSystemAbi,
      eventName: "ProofSubmitted",
      fromBlock: env.deployment.deploymentBlock,
    });
    for (const node of nodes) {
      const periods = submitted.filter((e) => e.args.nodeId === node.nodeId).map((e) => e.args.period);
      expect(periods).toEqual(expect.arrayContaining(proven));
    }
    const [first] = nodes as [TestNode];
    const ownProofs = submitted.filter((e) => e.args.nodeId === first.nodeId).length;
    // the prover counts a proof once it has its receipt, a poll after the chain has it
    const stats = await until("the node to count its last proof", async () => {
      const read = (await (await fetch(`${running.nodes[0]!.url}/stats`)).json()) as {
        proofs: { submitted: number; missed: number; lastPeriod: number };
      };
      return read.proofs.submitted >= ownProofs && read;
    });
    expect(stats.proofs).toMatchObject({ submitted: ownProofs, missed: 0, lastPeriod: proven.at(-1) });

    // the operator is paid price x size x proven periods / periods per epoch, for each blob
    await m.nextPeriod();
    const now = await m.currentPeriod();
    const { epochSeconds, periodSeconds } = env.deployment.params;
    let expected = 0n;
    for (const { blobId, blob } of blobs) {
      const info = await first.as.market.read.getBlob([blobId]);
      let periods = 0n;
      for (let p = info.startPeriod; p < Math.min(info.endPeriod, now); p += 1)
        if (await first.as.proofs.read.isProven([first.nodeId, p])) periods += 1n;
      expect(periods).toBeGreaterThanOrEqual(BigInt(proven.length));
      expected += (first.price * BigInt(blob.size) * periods) / BigInt(epochSeconds / periodSeconds);
    }
    const operator = first.operator.account.address;
    const before = await first.as.token.read.balanceOf([operator]);
    await h.wait(
      await first.as.market.write.claim([first.nodeId, blobs.map((b) => b.blobId), blobs.map(() => 0)]),
    );
    expect(await first.as.token.read.balanceOf([operator])).toBe(before + expected);
  });

  test("a blob deleted on chain is released by its holders and pruned from their proof sets", async () => {
    const owner = h.wallet(9);
    const blob = await prepareBlob(randomBytes(50_000, 40));
    const blobId = await registerPrepared(h, env.deployment, owner, nodes, blob);
    const replies: StoreReply[] = [];
    for (const node of running.nodes)
      replies.push((await putToNode(node.url, blobId, blob.data)).json as StoreReply);
    await certifyWith(h, env.deployment, owner, blobId, replies);
    expect((await fetch(`${running.nodes[0]!.url}/file/${blob.cid}`)).status).toBe(200);
    await h.wait(await env.as(owner).market.write.deleteBlob([blobId]));
    await until("both nodes dropping the copy", async () => {
      const statuses = await Promise.all(
        running.nodes.map((n) => fetch(`${n.url}/file/${blob.cid}`).then((r) => r.status)),
      );
      return statuses.every((s) => s === 404);
    });
    // pruned entries leave the set when the next period starts
    const m = marketActions(h, env.deployment);
    await m.nextPeriod();
    await until("the proof sets to shed the blob", async () => {
      await h.networkHelpers.mine(1);
      const sets = await Promise.all(nodes.map((n) => n.as.proofs.read.proofSet([n.nodeId])));
      return sets.every((set) => !set.includes(blobId)) && sets;
    });
  });

  test("a node whose set holds only dead blobs still proves the period, with an empty proof", async () => {
    // every blob above had one epoch: past their terms every draw is void, yet a set that was
    // not empty when the period began owes a proof (docs/protocol.md §3.5), or a miss is reported
    const m = marketActions(h, env.deployment);
    await m.nextPeriod(env.deployment.params.epochSeconds / env.deployment.params.periodSeconds + 1);
    const period = await m.currentPeriod();
    let mined = 0;
    await until(
      `period ${period} proven by both nodes with no sample`,
      async () => {
        if (Date.now() - mined >= 1000) {
          await h.networkHelpers.mine(1);
          mined = Date.now();
        }
        const proven = await Promise.all(nodes.map((n) => n.as.proofs.read.isProven([n.nodeId, period])));
        return proven.every(Boolean);
      },
      env.deployment.params.periodSeconds * 1000,
    );
    for (const node of nodes) {
      expect(await node.as.proofs.read.challenges([node.nodeId])).toEqual([]);
      const [submitted] = await h.publicClient.getContractEvents({
        address: env.deployment.contracts.proofSystem,
        abi: proofSystemAbi,
        eventName: "ProofSubmitted",
        args: { nodeId: node.nodeId, period },
        fromBlock: env.deployment.deploymentBlock,
      });
      expect(submitted?.args.samples).toBe(0n);
    }
  });
});
