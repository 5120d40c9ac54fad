import { parseEventLogs } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { proofSystemAbi } from "#protocol";
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
