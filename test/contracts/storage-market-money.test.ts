import { getAddress, parseEventLogs } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { BlobStatus, storageMarketAbi } from "#protocol";
import { marketActions, type RegisteredBlob } from "../../devnet/market-actions.ts";
import { expectRevert } from "../helpers/expect-revert.ts";
import { h, type MarketEnv, marketFixture, PPE, perEpoch } from "./storage-market-fixture.ts";

describe("StorageMarket", () => {
  let env: MarketEnv;
  let m: ReturnType<typeof marketActions>;
  const owner = () => h.wallet(8);
  const ownerAs = () => env.as(owner());
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(marketFixture);
    m = marketActions(h, env.deployment);
  });

  const hot3 = () => env.nodes.slice(0, 3);

  describe("extend and delete", () => {
    test("extend before certification grows escrow and fee; after, it moves the end", async () => {
      const nodes = hot3();
      const blob = await m.register({ owner: owner(), nodes, epochs: 1 });
      const payer = env.as(h.wallet(9));
      const cost = perEpoch(nodes, blob.size) * 2n;
      const fee = (cost * 100n) / 10_000n;
      await h.wait(await payer.token.write.faucet([2n * (cost + fee)]));
      await h.wait(await payer.token.write.approve([env.deployment.contracts.market, 2n * (cost + fee)]));
      await expectRevert(payer.market.write.extend([blob.blobId, 0]), "StorageMarketInvalidEpochs", [0]);
      await h.wait(await payer.market.write.extend([blob.blobId, 2]));
      expect(await payer.market.read.getBlob([blob.blobId])).toMatchObject({
        epochs: 3,
        escrow: blob.cost + cost,
        fee: blob.fee + fee,
      });
      await m.enroll(blob);
      await h.wait(await ownerAs().market.write.certify([blob.blobId, await m.attestations(blob)]));
      const { endPeriod } = await payer.market.read.getBlob([blob.blobId]);
      const receipt = await h.wait(await payer.market.write.extend([blob.blobId, 2]));
      const [event] = parseEventLogs({
        abi: storageMarketAbi,
        logs: receipt.logs,
        eventName: "BlobExtended",
      });
      expect(event?.args).toMatchObject({
        epochs: 2,
        endPeriod: endPeriod + 2 * Number(PPE),
        paid: cost + fee,
      });
      expect(await payer.market.read.getBlob([blob.blobId])).toMatchObject({
        epochs: 5,
        escrow: blob.cost + 2n * cost,
        fee: blob.fee + 2n * fee,
      });
      await m.nextPeriod(5 * Number(PPE));
      await expectRevert(payer.market.write.extend([blob.blobId, 1]), "StorageMarketTermEnded");
    });

    test("deleting an uncertified blob refunds everything", async () => {
      const blob = await m.register({ owner: owner(), nodes: hot3() });
      await expectRevert(env.as(h.wallet(9)).market.write.deleteBlob([blob.blobId]), "StorageMarketNotOwner");
      const receipt = await h.wait(await ownerAs().market.write.deleteBlob([blob.blobId]));
      const [event] = parseEventLogs({ abi: storageMarketAbi, logs: receipt.logs, eventName: "BlobDeleted" });
      expect(event?.args).toMatchObject({ endPeriod: 0, refund: blob.cost + blob.fee });
      expect(await ownerAs().token.read.balanceOf([owner().account.address])).toBe(blob.cost + blob.fee);
      await expectRevert(ownerAs().market.write.deleteBlob([blob.blobId]), "StorageMarketWrongStatus", [
        blob.blobId,
        BlobStatus.deleted,
      ]);
      // nothing is left to settle: settling would pay a fee that was refunded
      await expectRevert(ownerAs().market.write.settle([blob.blobId]), "StorageMarketWrongStatus", [
        blob.blobId,
        BlobStatus.deleted,
      ]);
    });

    test("deleting a certified blob ends it after this period and refunds the later periods at once", async () => {
      const nodes = hot3();
      const blob = await m.store({ owner: owner(), nodes, epochs: 2 });
      await m.nextPeriod(3);
      const period = await m.currentPeriod();
      const { endPeriod } = await ownerAs().market.read.getBlob([blob.blobId]);
      const receipt = await h.wait(await ownerAs().market.write.deleteBlob([blob.blobId]));
      const later = BigInt(endPeriod - (period + 1));
      const refund = nodes.reduce((sum, n) => sum + (n.price * blob.size * later) / PPE, 0n);
      const [event] = parseEventLogs({ abi: storageMarketAbi, logs: receipt.logs, eventName: "BlobDeleted" });
      expect(event?.args).toEqual({ blobId: blob.blobId, endPeriod: period + 1, refund });
      expect(await ownerAs().token.read.balanceOf([owner().account.address])).toBe(refund);
      expect((await ownerAs().market.read.getBlob([blob.blobId])).escrow).toBe(blob.cost - refund);
    });
  });

  describe("pay", () => {
    async function storeAndProve(periods: number): Promise<{ blob: RegisteredBlob; start: number }> {
      const blob = await m.store({ owner: owner(), nodes: hot3(), epochs: 1 });
      const { startPeriod } = await ownerAs().market.read.getBlob([blob.blobId]);
      for (let p = 0; p < periods; p += 1) {
        await m.nextPeriod();
        await m.revealSeed();
        for (const node of blob.nodes) await m.prove(node);
      }
      return { blob, start: startPeriod };
    }

    test("a holder is paid exactly for the closed periods it proved, once", async () => {
      const { blob } = await storeAndProve(3);
      const [node] = blob.nodes;
      // the third proven period is still open: only two are payable
      const expected = (node!.price * blob.size * 2n) / PPE;
      const operator = node!.operator.account.address;
      const before = await node!.as.token.read.balanceOf([operator]);
      const receipt = await h.wait(await node!.as.market.write.claim([node!.nodeId, [blob.blobId], [0]]));
      const [event] = parseEventLogs({
        abi: storageMarketAbi,
        logs: receipt.logs,
        eventName: "PaymentClaimed",
      });
      expect(event?.args).toEqual({ nodeId: node!.nodeId, to: getAddress(operator), amount: expected });
      expect((await node!.as.token.read.balanceOf([operator])) - before).toBe(expected);
      await expectRevert(
        node!.as.market.write.claim([node!.nodeId, [blob.blobId], [0]]),
        "StorageMarketNothingToClaim",
        [node!.nodeId],
      );
      await m.nextPeriod();
      await h.wait(await node!.as.market.write.claim([node!.nodeId, [blob.blobId], [0]]));
      expect((await node!.as.token.read.balanceOf([operator])) - before).toBe(
        (node!.price * blob.size * 3n) / PPE,
      );
    });

    test("an unproven period earns nothing", async () => {
      const blob = await m.store({ owner: owner(), nodes: hot3(), epochs: 1 });
      const [first, second] = blob.nodes;
      await m.nextPeriod();
      await m.revealSeed();
      await m.prove(first!);
      await m.nextPeriod();
      await expectRevert(
        second!.as.market.write.claim([second!.nodeId, [blob.blobId], [1]]),
        "StorageMarketNothingToClaim",
      );
      await h.wait(await first!.as.market.write.claim([first!.nodeId, [blob.blobId], [0]]));
    });

    test("claims are refused to outsiders and for a holder index that is not the node's", async () => {
      const { blob } = await storeAndProve(1);
      await m.nextPeriod();
      const [node] = blob.nodes;
      await expectRevert(
        env.as(h.wallet(9)).market.write.claim([node!.nodeId, [blob.blobId], [0]]),
        "StorageMarketNotNodeAccount",
      );
      await expectRevert(
        node!.as.market.write.claim([node!.nodeId, [blob.blobId], [1]]),
        "StorageMarketUnknownHolder",
        [blob.blobId, 1n],
      );
      await expectRevert(
        node!.as.market.write.claim([node!.nodeId, [blob.blobId], []]),
        "StorageMarketLengthMismatch",
      );
      // the signing key may claim; the pay still goes to the operator
      const operator = node!.operator.account.address;
      const before = await node!.as.token.read.balanceOf([operator]);
      const asSigner = env.as(await h.signerWallet(node!));
      await h.wait(await asSigner.market.write.claim([node!.nodeId, [blob.blobId], [0]]));
      expect((await node!.as.token.read.balanceOf([operator])) - before).toBe(
        (node!.price * blob.size) / PPE,
      );
    });

    test("settle credits holders what they earned and refunds the rest; fees reach the treasury", async () => {
      const { blob } = await storeAndProve(2);
      await expectRevert(ownerAs().market.write.settle([blob.blobId]), "StorageMarketTermNotEnded");
      await m.nextPeriod(Number(PPE));
      const earned = blob.nodes.map((n) => (n.price * blob.size * 2n) / PPE);
      const receipt = await h.wait(await env.as(h.wallet(9)).market.write.settle([blob.blobId]));
      const refund = blob.cost - earned.reduce((a, b) => a + b, 0n);
      const [event] = parseEventLogs({ abi: storageMarketAbi, logs: receipt.logs, eventName: "BlobSettled" });
      expect(event?.args).toEqual({ blobId: blob.blobId, refund });
      expect(await ownerAs().token.read.balanceOf([owner().account.address])).toBe(refund);
      for (const [i, node] of blob.nodes.entries()) {
        expect(await node.as.market.read.creditOf([node.nodeId])).toBe(earned[i]);
        await h.wait(await node.as.market.write.claim([node.nodeId, [], []]));
        expect(await node.as.market.read.creditOf([node.nodeId])).toBe(0n);
      }
      await expectRevert(ownerAs().market.write.settle([blob.blobId]), "StorageMarketWrongStatus");
      const treasury = h.wallet(1).account.address;
      expect(await ownerAs().market.read.feesAccrued()).toBe(blob.fee);
      await h.wait(await ownerAs().market.write.collectFees());
      expect(await ownerAs().token.read.balanceOf([treasury])).toBe(blob.fee);
      expect(await ownerAs().token.read.balanceOf([env.deployment.contracts.market])).toBe(0n);
    });
  });
});
