import { getAddress, type Hex, parseEventLogs, toHex } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { BlobStatus, blobIdOf, commitmentOf, storageMarketAbi, Tier } from "#protocol";
import { marketActions, type RegisteredBlob } from "../../devnet/market-actions.ts";
import {
  attest,
  blobParams,
  connectStrata,
  randomBytes,
  type StrataHarness,
  type TestNode,
  testParams,
} from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";

const h: StrataHarness = await connectStrata();
const PPE = BigInt(testParams.epochSeconds / testParams.periodSeconds);

async function fixture() {
  const env = await h.deploy();
  const nodes = await h.registerNodes(env.deployment, 5);
  return { ...env, nodes };
}

describe("StorageMarket", () => {
  let env: Awaited<ReturnType<typeof fixture>>;
  let m: ReturnType<typeof marketActions>;
  const owner = () => h.wallet(8);
  const ownerAs = () => env.as(owner());
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(fixture);
    m = marketActions(h, env.deployment);
  });

  const hot3 = () => env.nodes.slice(0, 3);
  const perEpoch = (nodes: TestNode[], stored: bigint) =>
    nodes.reduce((sum, n) => sum + n.price * stored, 0n);

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
