import { type Hex, parseEventLogs } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { storageMarketAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { connectStrata, randomBytes, type StrataHarness, testParams } from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";

const h: StrataHarness = await connectStrata();

async function fixture() {
  const env = await h.deploy();
  const nodes = await h.registerNodes(env.deployment, 6);
  return { ...env, nodes };
}

describe("cold shards on chain", () => {
  let env: Awaited<ReturnType<typeof fixture>>;
  let m: ReturnType<typeof marketActions>;
  const owner = () => h.wallet(8);
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(fixture);
    m = marketActions(h, env.deployment);
  });

  const storeCold = () =>
    m.store({
      owner: owner(),
      nodes: env.nodes.slice(0, 5),
      data: randomBytes(3000, 11),
      tier: "cold",
      recovery: 3,
      shardSize: 2048n,
      epochs: 2,
    });

  test("each holder is challenged on its own shard commitment and proves it", async () => {
    const blob = await storeCold();
    await m.nextPeriod();
    await m.revealSeed();
    for (const [holder, node] of env.nodes.slice(0, 5).entries()) {
      const challenges = await node.as.proofs.read.challenges([node.nodeId]);
      expect(challenges.length).toBeGreaterThan(0);
      for (const challenge of challenges) {
        expect(challenge.root).toBe(blob.shardRoots![holder]);
        expect(challenge.size).toBe(2048n);
        expect(challenge.leafIndex).toBeLessThan(8n);
      }
      await m.prove(node);
    }
  });

  test("a dropped holder's shard is reassigned, rebuilt, attested and then proven and paid", async () => {
    const blob = await storeCold();
    const [lost, partner] = env.nodes;
    const newcomer = env.nodes[5]!;
    const market = newcomer.as.market;
    await expectRevert(
      market.write.reassignHolder([blob.blobId, 0, newcomer.nodeId]),
      "StorageMarketHolderNotDropped",
      [blob.blobId, 0n],
    );
    await m.nextPeriod();
    // one period every holder proves, then the lost holder misses until it is dropped
    await m.revealSeed();
    for (const node of env.nodes.slice(0, 5)) await m.prove(node);
    await m.nextPeriod();
    for (let period = 0; period < testParams.missesToDrop; period += 1) {
      await m.revealSeed();
      for (const node of env.nodes.slice(1, 5)) await m.prove(node);
      const missed = await m.currentPeriod();
      await m.nextPeriod();
      await h.wait(await env.as(h.wallet(9)).proofs.write.reportMissedProof([lost!.nodeId, missed]));
    }
    expect((await market.read.getBlob([blob.blobId])).dropped).toBe(0b1);

    await expectRevert(
      partner!.as.market.write.reassignHolder([blob.blobId, 0, partner!.nodeId]),
      "StorageMarketAlreadyHolder",
      [blob.blobId, partner!.nodeId],
    );
    await expectRevert(
      env.as(h.wallet(9)).market.write.reassignHolder([blob.blobId, 0, newcomer.nodeId]),
      "StorageMarketNotNodeAccount",
    );
    await expectRevert(
      market.write.reassignHolder([blob.blobId, 9, newcomer.nodeId]),
      "StorageMarketUnknownHolder",
    );
    const receipt = await h.wait(await market.write.reassignHolder([blob.blobId, 0, newcomer.nodeId]));
    const [event] = parseEventLogs({
      abi: storageMarketAbi,
      logs: receipt.logs,
      eventName: "HolderReassigned",
    });
    expect(event?.args).toMatchObject({
      blobId: blob.blobId,
      holder: 0,
      previous: lost!.nodeId,
      nodeId: newcomer.nodeId,
    });
    const info = await market.read.getBlob([blob.blobId]);
    expect(info.holders[0]!.nodeId).toBe(newcomer.nodeId);
    expect(info.holders[0]!.pricePerByteEpoch).toBe(lost!.price);
    expect(info.dropped & 1).toBe(0);
    expect(info.attested & 1).toBe(0);
    // the lost node is credited what it earned for the periods it proved before
    expect(await market.read.creditOf([lost!.nodeId])).toBeGreaterThan(0n);
    await expectRevert(
      market.write.reassignHolder([blob.blobId, 0, newcomer.nodeId]),
      "StorageMarketHolderNotDropped",
    );

    // the newcomer enrolls as holder 0, attests with the shard commitments, and is challenged
    // on the same shard from the next period
    const moved = { ...blob, nodes: [newcomer, ...blob.nodes.slice(1)] };
    await m.enroll(moved, [0]);
    await m.certify(moved, owner(), await m.attestations(moved, [0]));
    expect((await market.read.getBlob([blob.blobId])).attested & 1).toBe(1);
    expect(await market.read.shardRootOf([blob.blobId, 0])).toBe(blob.shardRoots![0] as Hex);
    await m.revealSeed();
    expect(await newcomer.as.proofs.read.challenges([newcomer.nodeId])).toEqual([]);
    await m.nextPeriod();
    await m.revealSeed();
    const challenges = await newcomer.as.proofs.read.challenges([newcomer.nodeId]);
    expect(challenges.every((challenge) => challenge.root === blob.shardRoots![0])).toBe(true);
    await m.prove(newcomer);
    await m.nextPeriod();
    const balance = await newcomer.as.token.read.balanceOf([newcomer.operator.account.address]);
    await h.wait(await newcomer.as.market.write.claim([newcomer.nodeId, [blob.blobId], [0]]));
    const paid = (await newcomer.as.token.read.balanceOf([newcomer.operator.account.address])) - balance;
    const perPeriod = (lost!.price * 2048n) / BigInt(testParams.epochSeconds / testParams.periodSeconds);
    expect(paid).toBe(perPeriod);
  });
});
