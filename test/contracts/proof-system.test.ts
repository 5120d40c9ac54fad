import { getAddress, type Hex, parseEventLogs, toHex } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { LEAF_SIZE, nodeRegistryAbi, proofSystemAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { connectStrata, randomBytes, type StrataHarness, testParams } from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";

const h: StrataHarness = await connectStrata();

async function fixture() {
  const env = await h.deploy();
  const nodes = await h.registerNodes(env.deployment, 3);
  return { ...env, nodes };
}

describe("ProofSystem", () => {
  let env: Awaited<ReturnType<typeof fixture>>;
  let m: ReturnType<typeof marketActions>;
  const owner = () => h.wallet(8);
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(fixture);
    m = marketActions(h, env.deployment);
  });

  describe("an honest node", () => {
    test("proves every period over blobs of one leaf, many leaves and a partial last leaf", async () => {
      const [node] = env.nodes;
      const blobs = [];
      for (const size of [100, LEAF_SIZE, 40 * LEAF_SIZE, 17 * LEAF_SIZE + 3]) {
        blobs.push(
          await m.store({ owner: owner(), nodes: [node!], data: randomBytes(size, size), epochs: 1 }),
        );
      }
      const proven = new Set<Hex>();
      for (let p = 0; p < 6; p += 1) {
        await m.nextPeriod();
        await m.revealSeed();
        const challenges = await node!.as.proofs.read.challenges([node!.nodeId]);
        expect(challenges).toHaveLength(testParams.samplesPerProof);
        for (const challenge of challenges) proven.add(challenge.blobId);
        const receipt = await m.prove(node!);
        const [event] = parseEventLogs({
          abi: proofSystemAbi,
          logs: receipt.logs,
          eventName: "ProofSubmitted",
        });
        const period = await m.currentPeriod();
        expect(event?.args).toEqual({
          nodeId: node!.nodeId,
          period,
          samples: BigInt(testParams.samplesPerProof),
        });
        expect(await node!.as.proofs.read.isProven([node!.nodeId, period])).toBe(true);
        await expectRevert(m.prove(node!), "ProofsAlreadyProven", [node!.nodeId, period]);
      }
      // over six periods the samples reached more than one blob
      expect(proven.size).toBeGreaterThan(1);
    });

    test("a node holding no blobs is not challenged", async () => {
      const [, idle] = env.nodes;
      await m.nextPeriod();
      await m.revealSeed();
      expect(await idle!.as.proofs.read.challenges([idle!.nodeId])).toEqual([]);
      const period = await m.currentPeriod();
      await expectRevert(idle!.as.proofs.write.submitProof([idle!.nodeId, "0x"]), "ProofsNotChallenged", [
        idle!.nodeId,
        period,
      ]);
      await m.nextPeriod();
      await expectRevert(
        env.as(h.wallet(9)).proofs.write.reportMissedProof([idle!.nodeId, period]),
        "ProofsNotChallenged",
        [idle!.nodeId, period],
      );
    });
  });

  describe("wrong proofs are refused and count as nothing", () => {
    async function challenged() {
      const [node] = env.nodes;
      const a = await m.store({
        owner: owner(),
        nodes: [node!],
        data: randomBytes(50 * LEAF_SIZE, 1),
        epochs: 1,
      });
      const b = await m.store({
        owner: owner(),
        nodes: [node!],
        data: randomBytes(50 * LEAF_SIZE, 2),
        epochs: 1,
      });
      await m.nextPeriod();
      await m.revealSeed();
      const challenges = await node!.as.proofs.read.challenges([node!.nodeId]);
      return { node: node!, a, b, challenges };
    }
    const submit = (node: (typeof env.nodes)[number], proof: Uint8Array) =>
      node.as.proofs.write.submitProof([node.nodeId, toHex(proof)]);

    test("a proof missing one leaf", async () => {
      const { node, challenges } = await challenged();
      const proofs = challenges.map((c) => m.trees.get(c.blobId)!.proof(Number(c.leafIndex)));
      const short = Uint8Array.from(proofs.slice(0, -1).flatMap((p) => [...p]));
      await expectRevert(submit(node, short), "ProofsMalformedProof");
    });

    test("a proof for another blob, another index or with a flipped bit", async () => {
      const { node, a, b, challenges } = await challenged();
      const build = (swap: (c: (typeof challenges)[number], i: number) => Uint8Array) =>
        Uint8Array.from(challenges.flatMap((c, i) => [...swap(c, i)]));
      const right = (c: (typeof challenges)[number]) => m.trees.get(c.blobId)!.proof(Number(c.leafIndex));
      const other = (c: (typeof challenges)[number]) => (c.blobId === a.blobId ? b.tree : a.tree);
      await expectRevert(
        submit(
          node,
          build((c, i) => (i === 0 ? other(c).proof(Number(c.leafIndex)) : right(c))),
        ),
        "ProofsInvalidProof",
      );
      await expectRevert(
        submit(
          node,
          build((c, i) =>
            i === 1 ? m.trees.get(c.blobId)!.proof((Number(c.leafIndex) + 1) % 50) : right(c),
          ),
        ),
        "ProofsInvalidProof",
      );
      const flipped = build(right);
      flipped[3] = (flipped[3] as number) ^ 0x01;
      await expectRevert(submit(node, flipped), "ProofsInvalidProof");
      // none of that counted; the right proof is still accepted in time
      await h.wait(await submit(node, build(right)));
    });

    test("last period's proof does not prove this period", async () => {
      const { node } = await challenged();
      const old = await m.buildProof(node);
      await h.wait(await node.as.proofs.write.submitProof([node.nodeId, old]));
      await m.nextPeriod();
      await m.revealSeed();
      expect(await m.buildProof(node)).not.toBe(old);
      await expectRevert(node.as.proofs.write.submitProof([node.nodeId, old]), "ProofsInvalidProof");
    });

    test("never before the seed is known; a valid proof counts whoever sends it", async () => {
      const { node } = await challenged();
      await m.nextPeriod();
      const period = await m.currentPeriod();
      await expectRevert(node.as.proofs.write.submitProof([node.nodeId, "0x"]), "ProofsSeedUnavailable", [
        period,
      ]);
      await h.wait(await node.as.proofs.write.commitSeed());
      // committed, but its block does not exist yet
      await expectRevert(node.as.proofs.write.submitProof([node.nodeId, "0x"]), "ProofsSeedUnavailable", [
        period,
      ]);
      await h.networkHelpers.mine(2);
      const outsider = env.as(h.wallet(9));
      await h.wait(await outsider.proofs.write.submitProof([node.nodeId, await m.buildProof(node)]));
      expect(await outsider.proofs.read.isProven([node.nodeId, period])).toBe(true);
    });
  });

  describe("seeds", () => {
    test("cannot be chosen: unknown until committed and mined, then fixed for the whole period", async () => {
      const [node, other] = env.nodes;
      await m.store({ owner: owner(), nodes: [node!], data: randomBytes(30 * LEAF_SIZE, 5), epochs: 1 });
      await m.nextPeriod();
      const period = await m.currentPeriod();
      const proofs = env.as(h.wallet(9)).proofs;
      expect(await proofs.read.seedOf([period])).toBe(`0x${"0".repeat(64)}`);
      const receipt = await h.wait(await proofs.write.commitSeed());
      const [event] = parseEventLogs({ abi: proofSystemAbi, logs: receipt.logs, eventName: "SeedCommitted" });
      expect(event?.args).toEqual({ period, seedBlock: receipt.blockNumber + 1n });
      // the committed block does not exist yet: nobody, the committer included, knows the seed
      expect(await proofs.read.seedOf([period])).toBe(`0x${"0".repeat(64)}`);
      await h.networkHelpers.mine(2);
      const seed = await proofs.read.seedOf([period]);
      const before = await node!.as.proofs.read.challenges([node!.nodeId]);
      expect(seed).not.toBe(`0x${"0".repeat(64)}`);
      // nothing anyone does afterwards moves them: another commit, new blobs enrolled and
      // certified for the node, other nodes proving, blocks passing
      await h.wait(await proofs.write.commitSeed());
      expect(await proofs.read.seedBlockOf([period])).toBe(receipt.blockNumber + 1n);
      await m.store({
        owner: owner(),
        nodes: [node!, other!],
        data: randomBytes(9 * LEAF_SIZE, 6),
        epochs: 1,
      });
      await h.networkHelpers.mine(5);
      expect(await proofs.read.seedOf([period])).toBe(seed);
      expect(await node!.as.proofs.read.challenges([node!.nodeId])).toEqual(before);
      await m.prove(node!);
    });
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

  describe("proof sets", () => {
    test("enrolling checks the holder slot and refuses duplicates", async () => {
      const [node, other] = env.nodes;
      const blob = await m.register({ owner: owner(), nodes: [node!, other!] });
      await expectRevert(
        node!.as.proofs.write.enroll([node!.nodeId, [blob.blobId], [1]]),
        "ProofsCannotEnroll",
        [node!.nodeId, blob.blobId],
      );
      await expectRevert(
        node!.as.proofs.write.enroll([node!.nodeId, [blob.blobId], []]),
        "ProofsLengthMismatch",
      );
      await expectRevert(
        env.as(h.wallet(9)).proofs.write.enroll([node!.nodeId, [blob.blobId], [0]]),
        "ProofsNotNodeAccount",
      );
      const receipt = await h.wait(await node!.as.proofs.write.enroll([node!.nodeId, [blob.blobId], [0]]));
      const [event] = parseEventLogs({ abi: proofSystemAbi, logs: receipt.logs, eventName: "BlobEnrolled" });
      expect(event?.args).toEqual({ nodeId: node!.nodeId, blobId: blob.blobId, holder: 0 });
      await expectRevert(
        node!.as.proofs.write.enroll([node!.nodeId, [blob.blobId], [0]]),
        "ProofsAlreadyEnrolled",
      );
      expect(await node!.as.proofs.read.proofSet([node!.nodeId])).toEqual([blob.blobId]);
    });

    test("a blob enrolled during a period is sampled from the next one", async () => {
      const [node] = env.nodes;
      const first = await m.store({ owner: owner(), nodes: [node!], data: randomBytes(2000, 8), epochs: 1 });
      await m.nextPeriod();
      // four blobs enrolled this period: were they sampled, three samples would all miss them
      // with probability (1/5)^3 < 1%
      const late = [];
      for (let i = 0; i < 4; i += 1) {
        late.push(
          await m.store({ owner: owner(), nodes: [node!], data: randomBytes(2000, 20 + i), epochs: 1 }),
        );
      }
      await m.revealSeed();
      const now = await node!.as.proofs.read.challenges([node!.nodeId]);
      expect(new Set(now.map((c) => c.blobId))).toEqual(new Set([first.blobId]));
      await m.prove(node!);
      await m.nextPeriod();
      await m.revealSeed();
      const next = await node!.as.proofs.read.challenges([node!.nodeId]);
      expect(next.length).toBe(testParams.samplesPerProof);
      // both blobs are in the set now (the draw may or may not pick the late one)
      expect(await node!.as.proofs.read.proofSet([node!.nodeId])).toEqual([
        first.blobId,
        ...late.map((b) => b.blobId),
      ]);
      await m.prove(node!);
    });

    test("only dead blobs can be pruned; they leave the set when the next period starts", async () => {
      const [node] = env.nodes;
      const keep = await m.store({ owner: owner(), nodes: [node!], data: randomBytes(900, 10), epochs: 1 });
      const gone = await m.store({ owner: owner(), nodes: [node!], data: randomBytes(900, 11), epochs: 1 });
      await expectRevert(node!.as.proofs.write.prune([node!.nodeId, [gone.blobId]]), "ProofsBlobLive", [
        node!.nodeId,
        gone.blobId,
      ]);
      await h.wait(await env.as(owner()).market.write.deleteBlob([gone.blobId]));
      const receipt = await h.wait(await node!.as.proofs.write.prune([node!.nodeId, [gone.blobId]]));
      const [event] = parseEventLogs({ abi: proofSystemAbi, logs: receipt.logs, eventName: "BlobPruned" });
      expect(event?.args).toEqual({ nodeId: node!.nodeId, blobId: gone.blobId });
      await expectRevert(node!.as.proofs.write.prune([node!.nodeId, [gone.blobId]]), "ProofsNotEnrolled");
      expect(await node!.as.proofs.read.proofSet([node!.nodeId])).toHaveLength(2);
      expect(await node!.as.proofs.read.isStakeLocked([node!.nodeId])).toBe(true);
      await m.nextPeriod();
      await m.revealSeed();
      await m.prove(node!);
      expect(await node!.as.proofs.read.proofSet([node!.nodeId])).toEqual([keep.blobId]);
    });
  });
});

const nodeSlashedAbi = nodeRegistryAbi.filter((item) => item.type === "event" && item.name === "NodeSlashed");
