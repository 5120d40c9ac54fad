import { type Hex, parseEventLogs, toHex } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { BlobStatus, commitmentOf, storageMarketAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { attest, randomBytes, testParams } from "../../devnet/strata-fixture.ts";
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

  describe("certify", () => {
    test("all holders of a hot blob attest: BlobCertified, term starts next period", async () => {
      const blob = await m.register({ owner: owner(), nodes: hot3(), epochs: 2 });
      await m.enroll(blob);
      const receipt = await h.wait(
        await ownerAs().market.write.certify([blob.blobId, await m.attestations(blob)]),
      );
      const [event] = parseEventLogs({
        abi: storageMarketAbi,
        logs: receipt.logs,
        eventName: "BlobCertified",
      });
      const period = await m.currentPeriod();
      expect(event?.args).toEqual({
        blobId: blob.blobId,
        attested: 0b111,
        startPeriod: period + 1,
        endPeriod: period + 1 + 2 * Number(PPE),
      });
      const stored = await ownerAs().market.read.getBlob([blob.blobId]);
      // the fee stays with the blob until it settles
      expect(stored).toMatchObject({ status: BlobStatus.certified, fee: blob.fee, escrow: blob.cost });
      expect(await ownerAs().market.read.feesAccrued()).toBe(0n);
    });

    test("attestations accumulate across calls until the quorum", async () => {
      const blob = await m.register({ owner: owner(), nodes: hot3() });
      await m.enroll(blob);
      const [a0, a1, a2] = await m.attestations(blob);
      const receipt = await h.wait(await ownerAs().market.write.certify([blob.blobId, [a0!, a2!]]));
      const [event] = parseEventLogs({
        abi: storageMarketAbi,
        logs: receipt.logs,
        eventName: "BlobAttested",
      });
      expect(event?.args).toEqual({ blobId: blob.blobId, attested: 0b101 });
      expect((await ownerAs().market.read.getBlob([blob.blobId])).status).toBe(BlobStatus.registered);
      await expectRevert(
        ownerAs().market.write.certify([blob.blobId, [a2!]]),
        "StorageMarketDuplicateAttestation",
        [blob.blobId, 2n],
      );
      await h.wait(await ownerAs().market.write.certify([blob.blobId, [a1!]]));
      expect((await ownerAs().market.read.getBlob([blob.blobId])).status).toBe(BlobStatus.certified);
    });

    test("refuses forged, replayed, expired, duplicated and unenrolled attestations", async () => {
      const nodes = hot3();
      const blob = await m.register({ owner: owner(), nodes });
      const other = await m.register({ owner: owner(), nodes, data: randomBytes(500, 99) });
      const now = (await h.publicClient.getBlock()).timestamp;
      const good = await attest(env.deployment, nodes[0]!, 0, blob, now + 600n);
      await expectRevert(
        ownerAs().market.write.certify([blob.blobId, [good]]),
        "StorageMarketHolderNotEnrolled",
        [blob.blobId, 0n],
      );
      await m.enroll(blob);
      const certify = (list: Awaited<ReturnType<typeof attest>>[]) =>
        ownerAs().market.write.certify([blob.blobId, list]);
      // the same signature twice in one call
      await expectRevert(certify([good, good]), "StorageMarketDuplicateAttestation", [blob.blobId, 0n]);
      // signed by a node that was not chosen for this holder slot
      const forged = await attest(env.deployment, env.nodes[4]!, 1, blob, now + 600n);
      await expectRevert(certify([forged]), "StorageMarketInvalidAttestation", [blob.blobId, 1n]);
      // replayed from another blob
      const replayed = { ...(await attest(env.deployment, nodes[1]!, 1, other, now + 600n)) };
      await expectRevert(certify([replayed]), "StorageMarketInvalidAttestation", [blob.blobId, 1n]);
      // replayed from another chain, or another market
      const otherChain = await attest(env.deployment, nodes[1]!, 1, blob, now + 600n, { chainId: 1 });
      await expectRevert(certify([otherChain]), "StorageMarketInvalidAttestation", [blob.blobId, 1n]);
      const otherMarket = await attest(env.deployment, nodes[1]!, 1, blob, now + 600n, {
        market: env.deployment.contracts.registry,
      });
      await expectRevert(certify([otherMarket]), "StorageMarketInvalidAttestation", [blob.blobId, 1n]);
      // tampered expiry
      await expectRevert(certify([{ ...good, expiry: good.expiry + 1n }]), "StorageMarketInvalidAttestation");
      const expired = await attest(env.deployment, nodes[1]!, 1, blob, now - 1n);
      await expectRevert(certify([expired]), "StorageMarketAttestationExpired", [blob.blobId, 1n, now - 1n]);
      await expectRevert(certify([{ ...good, holder: 3 }]), "StorageMarketUnknownHolder", [blob.blobId, 3n]);
      const unknown = toHex(new Uint8Array(32).fill(1));
      await expectRevert(ownerAs().market.write.certify([unknown, [good]]), "StorageMarketUnknownBlob", [
        unknown,
      ]);
      expect((await ownerAs().market.read.getBlob([blob.blobId])).attested).toBe(0);
    });

    test("refuses certification after the deadline; the owner reclaims everything", async () => {
      const blob = await m.register({ owner: owner(), nodes: hot3() });
      await m.enroll(blob);
      const list = await m.attestations(blob);
      await expectRevert(
        ownerAs().market.write.reclaim([blob.blobId]),
        "StorageMarketCertifyDeadlinePending",
      );
      await h.networkHelpers.time.increase(testParams.certifyWindow + 1);
      await expectRevert(
        ownerAs().market.write.certify([blob.blobId, list]),
        "StorageMarketCertifyDeadlinePassed",
      );
      await expectRevert(env.as(h.wallet(9)).market.write.reclaim([blob.blobId]), "StorageMarketNotOwner");
      const receipt = await h.wait(await ownerAs().market.write.reclaim([blob.blobId]));
      const [event] = parseEventLogs({
        abi: storageMarketAbi,
        logs: receipt.logs,
        eventName: "BlobReclaimed",
      });
      expect(event?.args.refund).toBe(blob.cost + blob.fee);
      expect(await ownerAs().token.read.balanceOf([owner().account.address])).toBe(blob.cost + blob.fee);
      expect(await ownerAs().token.read.balanceOf([env.deployment.contracts.market])).toBe(0n);
      await expectRevert(ownerAs().market.write.reclaim([blob.blobId]), "StorageMarketWrongStatus", [
        blob.blobId,
        BlobStatus.reclaimed,
      ]);
      await expectRevert(ownerAs().market.write.certify([blob.blobId, list]), "StorageMarketWrongStatus");
    });

    test("cold: certified at recovery + margin; a late holder attests and earns from the next period", async () => {
      const nodes = env.nodes;
      const data = randomBytes(1000, 3);
      const blob = await m.register({
        owner: owner(),
        nodes,
        data,
        tier: "cold",
        recovery: 2,
        shardSize: 500n,
      });
      expect((await ownerAs().market.read.getBlob([blob.blobId])).quorum).toBe(3);
      expect(blob.cost).toBe(perEpoch(nodes, 500n) * 2n);
      await m.enroll(blob);
      const list = await m.attestations(blob);
      await expectRevert(
        ownerAs().market.write.certify([blob.blobId, list]),
        "StorageMarketShardRootsRequired",
      );
      const roots = blob.shardRoots!;
      await expectRevert(
        ownerAs().market.write.certifyShards([blob.blobId, list, [...roots.slice(1), roots[0]!]]),
        "StorageMarketInvalidShardRoots",
      );
      await expectRevert(
        ownerAs().market.write.certifyShards([blob.blobId, list, roots.slice(1)]),
        "StorageMarketInvalidShardRoots",
      );
      await m.certify(blob, owner(), list.slice(0, 2));
      expect((await ownerAs().market.read.getBlob([blob.blobId])).status).toBe(BlobStatus.registered);
      expect(await ownerAs().market.read.shardRootOf([blob.blobId, 1])).toBe(roots[1]);
      expect(await ownerAs().market.read.shardRootOf([blob.blobId, 3])).toBe(toHex(new Uint8Array(32)));
      await m.certify(blob, owner(), [list[3]!]);
      expect((await ownerAs().market.read.getBlob([blob.blobId])).status).toBe(BlobStatus.certified);
      const receipt = await m.certify(blob, owner(), [list[4]!]);
      const [event] = parseEventLogs({
        abi: storageMarketAbi,
        logs: receipt.logs,
        eventName: "BlobAttested",
      });
      expect(event?.args.attested).toBe(0b11011);
    });
  });

  test("attestation digests match the typed data the SDK signs", async () => {
    const blob = await m.register({ owner: owner(), nodes: hot3() });
    const digest: Hex = await ownerAs().market.read.attestationDigest([blob.blobId, 1, 123n]);
    const { hashTypedData } = await import("viem");
    const { attestationTypedData } = await import("#protocol");
    expect(digest).toBe(
      hashTypedData(
        attestationTypedData(env.deployment.chainId, env.deployment.contracts.market, {
          blobId: blob.blobId,
          commitment: toHex(commitmentOf(blob.data)),
          size: blob.size,
          nodeId: 1,
          expiry: 123n,
        }),
      ),
    );
  });
});
