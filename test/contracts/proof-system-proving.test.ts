import { type Hex, parseEventLogs, toHex } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { LEAF_SIZE, proofSystemAbi } from "#protocol";
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
});
