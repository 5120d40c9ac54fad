import { getAddress, parseEventLogs } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { LEAF_SIZE, nodeRegistryAbi, proofSystemAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { randomBytes, testParams } from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";
import { h, type ProofEnv, proofFixture } from "./proof-system-fixture.ts";

describe("ProofSystem", () => {
  let env: ProofEnv;
  let m: ReturnType<typeof marketActions>;
  const owner = () => h.wallet(8);
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(proofFixture);
    m = marketActions(h, env.deployment);
  });

  describe("misses", () => {
    async function missingNode() {
      const [node] = env.nodes;
      const blob = await m.store({
        owner: owner(),
        nodes: [node!],
        data: randomBytes(8 * LEAF_SIZE, 3),
        epochs: 2,
      });
      return { node: node!, blob };
    }

    test("a missed period is reported, warned and slashed by exactly the rule; the reporter paid its share", async () => {
      const { node } = await missingNode();
      await m.nextPeriod();
      const missed = await m.currentPeriod();
      await expectRevert(
        env.as(h.wallet(9)).proofs.write.reportMissedProof([node.nodeId, missed]),
        "ProofsReportWindowClosed",
        [missed, missed],
      );
      await m.nextPeriod();
      const reporter = h.wallet(9);
      const token = env.as(reporter).token;
      const treasury = h.wallet(1).account.address;
      const treasuryBefore = await token.read.balanceOf([treasury]);
      const receipt = await h.wait(
        await env.as(reporter).proofs.write.reportMissedProof([node.nodeId, missed]),
      );
      const logs = parseEventLogs({ abi: [...proofSystemAbi, ...nodeSlashedAbi], logs: receipt.logs });
      const names = logs.map((log) => log.eventName);
      // the warning comes before the cut
      expect(names).toEqual(["ProofMissed", "NodeSlashed", "NodeSlashed"]);
      expect(logs[0]?.args).toEqual({
        nodeId: node.nodeId,
        period: missed,
        missesInRow: 1,
        reporter: getAddress(reporter.account.address),
      });
      const share = (testParams.slashAmount * BigInt(testParams.reporterBps)) / 10_000n;
      expect(await token.read.balanceOf([reporter.account.address])).toBe(share);
      expect((await token.read.balanceOf([treasury])) - treasuryBefore).toBe(testParams.slashAmount - share);
      expect((await env.as(reporter).registry.read.getNode([node.nodeId])).stake).toBe(
        testParams.minStake - testParams.slashAmount,
      );
      await expectRevert(
        env.as(reporter).proofs.write.reportMissedProof([node.nodeId, missed]),
        "ProofsAlreadyReported",
        [node.nodeId, missed],
      );
    });

    test("a proven period cannot be reported", async () => {
      const { node } = await missingNode();
      await m.nextPeriod();
      await m.revealSeed();
      await m.prove(node);
      const period = await m.currentPeriod();
      await m.nextPeriod();
      await expectRevert(
        env.as(h.wallet(9)).proofs.write.reportMissedProof([node.nodeId, period]),
        "ProofsPeriodProven",
        [node.nodeId, period],
      );
    });

    test("misses in a row drop the node from every blob, and it is no longer challenged", async () => {
      const { node, blob } = await missingNode();
      const [, partner] = env.nodes;
      const shared = await m.store({
        owner: owner(),
        nodes: [node, partner!],
        data: randomBytes(700, 4),
        epochs: 2,
      });
      const reporter = env.as(h.wallet(9)).proofs;
      await m.nextPeriod();
      let receipt: Awaited<ReturnType<typeof h.wait>> | undefined;
      for (let miss = 1; miss <= testParams.missesToDrop; miss += 1) {
        const missed = await m.currentPeriod();
        await m.nextPeriod();
        receipt = await h.wait(await reporter.write.reportMissedProof([node.nodeId, missed]));
        const [warning] = parseEventLogs({
          abi: proofSystemAbi,
          logs: receipt.logs,
          eventName: "ProofMissed",
        });
        expect(warning?.args.missesInRow).toBe(miss);
      }
      const dropped = parseEventLogs({
        abi: proofSystemAbi,
        logs: receipt!.logs,
        eventName: "HolderDropped",
      });
      expect(dropped.map((log) => log.args)).toEqual([
        { blobId: blob.blobId, nodeId: node.nodeId, holder: 0 },
        { blobId: shared.blobId, nodeId: node.nodeId, holder: 0 },
      ]);
      const [nodeDropped] = parseEventLogs({
        abi: proofSystemAbi,
        logs: receipt!.logs,
        eventName: "NodeDropped",
      });
      expect(nodeDropped?.args.nodeId).toBe(node.nodeId);
      expect(await reporter.read.nodeStanding([node.nodeId])).toEqual([testParams.missesToDrop, true]);
      expect((await env.as(h.wallet(9)).registry.read.getNode([node.nodeId])).jailed).toBe(true);
      expect((await env.as(h.wallet(9)).market.read.getBlob([shared.blobId])).dropped).toBe(0b01);
      // no longer challenged, no longer bonded by its blobs
      await m.revealSeed();
      expect(await reporter.read.challenges([node.nodeId])).toEqual([]);
      await expectRevert(node.as.proofs.write.submitProof([node.nodeId, "0x"]), "ProofsNodeDropped", [
        node.nodeId,
      ]);
      const period = await m.currentPeriod();
      await m.nextPeriod();
      await expectRevert(reporter.write.reportMissedProof([node.nodeId, period]), "ProofsNodeDropped", [
        node.nodeId,
      ]);
      expect(await reporter.read.isStakeLocked([node.nodeId])).toBe(false);
      // the partner still holds and proves the shared blob
      await m.revealSeed();
      await m.prove(partner!);
    });
  });
});

const nodeSlashedAbi = nodeRegistryAbi.filter((item) => item.type === "event" && item.name === "NodeSlashed");
