import { getAddress, parseEventLogs, toHex } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { BlobStatus, blobIdOf, storageMarketAbi, Tier } from "#protocol";
import { blobParams, randomBytes, testParams } from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";
import { h, type MarketEnv, marketFixture, perEpoch } from "./storage-market-fixture.ts";

describe("StorageMarket", () => {
  let env: MarketEnv;
  const owner = () => h.wallet(8);
  const ownerAs = () => env.as(owner());
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(marketFixture);
  });

  const hot3 = () => env.nodes.slice(0, 3);

  describe("registerBlob", () => {
    test("escrows price plus fee exactly and emits the registration", async () => {
      const data = randomBytes(1000, 7);
      const nodes = hot3();
      const params = blobParams({
        owner: owner(),
        nodes,
        data,
        epochs: 3,
        name: "a.txt",
        mimeType: "text/plain",
        tags: ["x", "y"],
      });
      const cost = perEpoch(nodes, 1000n) * 3n;
      const fee = (cost * 100n) / 10_000n;
      expect(await ownerAs().market.read.quote([params.nodes, Tier.hot, 1000n, 3])).toEqual([cost, fee]);
      await h.wait(await ownerAs().token.write.faucet([cost + fee + 5n]));
      await h.wait(await ownerAs().token.write.approve([env.deployment.contracts.market, cost + fee]));
      const receipt = await h.wait(await ownerAs().market.write.registerBlob([params]));
      const [event] = parseEventLogs({
        abi: storageMarketAbi,
        logs: receipt.logs,
        eventName: "BlobRegistered",
      });
      const block = await h.publicClient.getBlock({ blockNumber: receipt.blockNumber });
      expect(event?.args).toMatchObject({
        owner: getAddress(owner().account.address),
        escrow: cost,
        fee,
        certifyDeadline: block.timestamp + BigInt(testParams.certifyWindow),
      });
      expect(event?.args.params).toMatchObject({
        cid: params.cid,
        commitment: params.commitment,
        size: 1000n,
        tier: Tier.hot,
        nodes: [1, 2, 3],
        epochs: 3,
        name: "a.txt",
        mimeType: "text/plain",
        tags: ["x", "y"],
      });
      expect(await ownerAs().token.read.balanceOf([owner().account.address])).toBe(5n);
      expect(await ownerAs().token.read.balanceOf([env.deployment.contracts.market])).toBe(cost + fee);
      const blob = await ownerAs().market.read.getBlob([event!.args.blobId]);
      expect(blob).toMatchObject({
        status: BlobStatus.registered,
        quorum: 3,
        escrow: cost,
        fee,
        attested: 0,
      });
      expect(blob.holders.map((holder) => holder.nodeId)).toEqual([1, 2, 3]);
      expect(blob.holders.map((holder) => holder.pricePerByteEpoch)).toEqual(nodes.map((n) => n.price));
      expect(event!.args.blobId).toBe(
        await ownerAs().market.read.blobIdOf([owner().account.address, params.salt]),
      );
      expect(event!.args.blobId).toBe(
        blobIdOf(
          env.deployment.chainId,
          env.deployment.contracts.market,
          owner().account.address,
          params.salt,
        ),
      );
    });

    test("refuses malformed registrations", async () => {
      const data = randomBytes(300);
      const base = blobParams({ owner: owner(), nodes: hot3(), data });
      const write = (changes: Partial<typeof base>) =>
        ownerAs().market.write.registerBlob([{ ...base, ...changes }]);
      await expectRevert(write({ cid: "0x" }), "StorageMarketInvalidCid");
      await expectRevert(write({ commitment: toHex(new Uint8Array(32)) }), "StorageMarketInvalidCommitment");
      await expectRevert(write({ size: 0n }), "StorageMarketInvalidSize", [0n]);
      await expectRevert(write({ epochs: 0 }), "StorageMarketInvalidEpochs", [0]);
      await expectRevert(write({ nodes: [] }), "StorageMarketInvalidNodes");
      await expectRevert(write({ nodes: [2, 1] }), "StorageMarketInvalidNodes");
      await expectRevert(write({ nodes: [1, 1] }), "StorageMarketInvalidNodes");
      await expectRevert(
        write({ nodes: Array.from({ length: 17 }, (_, i) => i + 1) }),
        "StorageMarketInvalidNodes",
      );
      await expectRevert(write({ shardSize: 10n }), "StorageMarketInvalidShards", [10n, 0]);
      await expectRevert(
        write({ tier: Tier.cold, recovery: 0, shardSize: 300n }),
        "StorageMarketInvalidShards",
        [300n, 0],
      );
      await expectRevert(
        write({ tier: Tier.cold, recovery: 4, shardSize: 300n }),
        "StorageMarketInvalidShards",
        [300n, 4],
      );
      await expectRevert(
        write({ tier: Tier.cold, recovery: 2, shardSize: 149n }),
        "StorageMarketInvalidShards",
        [149n, 2],
      );
      await expectRevert(write({ nodes: [1, 2, 9] }), "NodeRegistryNodeInactive", [9]);
      // unfunded: the transfer fails and nothing is registered
      await expectRevert(write({}), "ERC20InsufficientAllowance");
    });
  });
});
