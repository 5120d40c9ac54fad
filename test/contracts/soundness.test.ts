import { parseEventLogs, toHex } from "viem";
import { describe, expect, test } from "vitest";
import { LEAF_SIZE, proofSystemAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { connectStrata, randomBytes, testParams } from "../../devnet/strata-fixture.ts";

// docs/protocol.md, "Soundness": a node that lost a fraction f of the leaves of its blobs answers
// k samples in a period only if all of them avoid the lost leaves, probability (1 - f)^k; over P
// periods it escapes with probability (1 - f)^(kP). With f = 10%, k = 10 and P = 12 that is
// 0.9^120 ~ 3e-6: the cheater below is caught.
const SAMPLES = 10;
const PERIODS = 12;
const LOST = 0.1;

const h = await connectStrata({ ...testParams, samplesPerProof: SAMPLES, missesToDrop: 100 });

describe("soundness", () => {
  test(`a prover that lost ${LOST * 100}% of its leaves is caught within ${PERIODS} periods`, async () => {
    const { deployment, as } = await h.deploy();
    const [cheater] = await h.registerNodes(deployment, 1);
    const m = marketActions(h, deployment);
    const blobs = [];
    for (let b = 0; b < 3; b += 1) {
      // a term longer than the test (each caught period takes two: the miss, then its report)
      const data = randomBytes(200 * LEAF_SIZE, 40 + b);
      blobs.push(await m.store({ owner: h.wallet(8), nodes: [cheater!], data, epochs: 5 }));
    }
    // the cheater keeps the trees (hashes) but throws away 10% of each blob's leaf bytes
    const lost = new Map(
      blobs.map((blob, b) => {
        const leaves = new Set<number>();
        const rng = randomBytes(400, 90 + b);
        for (let i = 0; leaves.size < 200 * LOST; i += 2) leaves.add(((rng[i]! << 8) | rng[i + 1]!) % 200);
        return [blob.blobId, leaves] as const;
      }),
    );
    let proven = 0;
    let caught = 0;
    for (let period = 0; period < PERIODS; period += 1) {
      await m.nextPeriod();
      await m.revealSeed();
      const current = await m.currentPeriod();
      const challenges = await cheater!.as.proofs.read.challenges([cheater!.nodeId]);
      expect(challenges).toHaveLength(SAMPLES);
      const answerable = challenges.every((c) => !lost.get(c.blobId)?.has(Number(c.leafIndex)));
      if (answerable) {
        await m.prove(cheater!);
        proven += 1;
        continue;
      }
      // it cannot produce the lost leaves' bytes: its best guess (zeros in their place) is refused,
      // so the period goes unproven and is reported
      const guess = challenges.flatMap((c) => {
        const proof = m.trees.get(c.blobId)!.proof(Number(c.leafIndex));
        if (lost.get(c.blobId)?.has(Number(c.leafIndex))) proof.fill(0, 0, LEAF_SIZE);
        return [...proof];
      });
      await expect(
        cheater!.as.proofs.write.submitProof([cheater!.nodeId, toHex(Uint8Array.from(guess))]),
      ).rejects.toThrow(/ProofsInvalidProof|ProofsMalformedProof/);
      await m.nextPeriod();
      const receipt = await h.wait(
        await as(h.wallet(9)).proofs.write.reportMissedProof([cheater!.nodeId, current]),
      );
      const [warning] = parseEventLogs({ abi: proofSystemAbi, logs: receipt.logs, eventName: "ProofMissed" });
      expect(warning?.args.period).toBe(current);
      caught += 1;
    }
    console.log(
      `cheater: ${proven} periods proven, ${caught} caught (expected catch rate ${(1 - (1 - LOST) ** SAMPLES).toFixed(2)})`,
    );
    expect(caught).toBeGreaterThan(0);
    expect(proven + caught).toBe(PERIODS);
  });
});
