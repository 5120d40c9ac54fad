import { parseEventLogs } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { storageMarketAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { connectStrata, randomBytes, type StrataHarness, testParams } from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";

const h: StrataHarness = await connectStrata();

// nodes 0-3 serve both tiers; node 4 serves only the cold tier
async function fixture() {
  const env = await h.deploy();
  const nodes = await h.registerNodes(env.deployment, 5, (i) => (i === 4 ? { tiers: 2 } : {}));
  return { ...env, nodes };
}

describe("a hot blob whose holder is dropped heals on chain", () => {
  let env: Awaited<ReturnType<typeof fixture>>;
  let m: ReturnType<typeof marketActions>;
  const owner = () => h.wallet(8);
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(fixture);
    m = marketActions(h, env.deployment);
  });

  /** Stores a hot blob on nodes 0-2, proves one period, then has node 0 miss until it is dropped. */
  async function storeAndDropFirst() {
    const blob = await m.store({ owner: owner(), nodes: env.nodes.slice(0, 3), data: randomBytes(5000, 21) });
    await m.nextPeriod();
    await m.revealSeed();
    for (const node of env.nodes.slice(0, 3)) await m.prove(node);
    await m.nextPeriod();
    const logs = [];
    for (let miss = 0; miss < testParams.missesToDrop; miss += 1) {
      await m.revealSeed();
      for (const node of env.nodes.slice(1, 3)) await m.prove(node);
      const missed = await m.currentPeriod();
      await m.nextPeriod();
      const receipt = await h.wait(
        await env.as(h.wallet(9)).proofs.write.reportMissedProof([env.nodes[0]!.nodeId, missed]),
      );
      logs.push(...receipt.logs);
    }
    return { blob, logs };
  }

  test("the drop degrades it; a dropped holder's attestation is refused by name", async () => {
    const { blob, logs } = await storeAndDropFirst();
    const degraded = parseEventLogs({ abi: storageMarketAbi, logs, eventName: "BlobDegraded" });
    expect(degraded.map((event) => event.args)).toEqual([{ blobId: blob.blobId, live: 2, target: 3 }]);
    const info = await env.nodes[1]!.as.market.read.getBlob([blob.blobId]);
    expect(info.dropped).toBe(0b001);
    expect(info.attested).toBe(0b111);
    await expectRevert(
      env.nodes[1]!.as.market.write.certify([blob.blobId, await m.attestations(blob, [0])]),
      "StorageMarketHolderDropped",
      [blob.blobId, 0n],
    );
  });

  test("another hot node takes the place, attests, restores the blob and is paid from the next period", async () => {
    const { blob } = await storeAndDropFirst();
    const [lost, , , newcomer, coldOnly] = env.nodes;
    await expectRevert(
      coldOnly!.as.market.write.reassignHolder([blob.blobId, 0, coldOnly!.nodeId]),
      "NodeRegistryTierNotServed",
    );
    const receipt = await h.wait(
      await newcomer!.as.market.write.reassignHolder([blob.blobId, 0, newcomer!.nodeId]),
    );
    const [moved] = parseEventLogs({
      abi: storageMarketAbi,
      logs: receipt.logs,
      eventName: "HolderReassigned",
    });
    expect(moved?.args).toEqual({
      blobId: blob.blobId,
      holder: 0,
      previous: lost!.nodeId,
      nodeId: newcomer!.nodeId,
    });
    const info = await newcomer!.as.market.read.getBlob([blob.blobId]);
    expect(info.holders[0]).toEqual({ nodeId: newcomer!.nodeId, pricePerByteEpoch: lost!.price });
    expect(info.dropped).toBe(0);
    expect(info.attested).toBe(0b110);
    await expectRevert(
      env.nodes[2]!.as.market.write.reassignHolder([blob.blobId, 0, env.nodes[2]!.nodeId]),
      "StorageMarketHolderNotDropped",
    );

    const replaced = { ...blob, nodes: [newcomer!, ...blob.nodes.slice(1)] };
    await m.enroll(replaced, [0]);
    const certified = await h.wait(
      await newcomer!.as.market.write.certify([blob.blobId, await m.attestations(replaced, [0])]),
    );
    const restored = parseEventLogs({
      abi: storageMarketAbi,
      logs: certified.logs,
      eventName: "BlobRestored",
    });
    expect(restored.map((event) => event.args)).toEqual([{ blobId: blob.blobId, live: 3 }]);
    expect((await newcomer!.as.market.read.getBlob([blob.blobId])).attested).toBe(0b111);

    // challenged from the next period on, and paid for exactly the periods it proved
    await m.revealSeed();
    expect(await newcomer!.as.proofs.read.challenges([newcomer!.nodeId])).toEqual([]);
    await m.nextPeriod();
    await m.revealSeed();
    await m.prove(newcomer!);
    await m.nextPeriod();
    const before = await newcomer!.as.token.read.balanceOf([newcomer!.operator.account.address]);
    await h.wait(await newcomer!.as.market.write.claim([newcomer!.nodeId, [blob.blobId], [0]]));
    const paid = (await newcomer!.as.token.read.balanceOf([newcomer!.operator.account.address])) - before;
    const periodsPerEpoch = BigInt(testParams.epochSeconds / testParams.periodSeconds);
    expect(paid).toBe((lost!.price * 5000n) / periodsPerEpoch);
  });
});
