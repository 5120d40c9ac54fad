import { getAddress, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BlobStatus } from "#protocol";
import type { IndexedBlobDetail, IndexedNodeDetail } from "../../api/indexer/index.ts";
import { marketActions } from "../../devnet/market-actions.ts";
import { serveProvider } from "../../devnet/serve-provider.ts";
import { connectStrata, type TestNode, testParams } from "../../devnet/strata-fixture.ts";
import { startTestIndexer, waitIndexed } from "../helpers/indexer-harness.ts";

/**
 * A blob's whole life and a node's slashes as the indexer tells them, each step checked against
 * the chain: settle after delete, reclaim, the `status` filter's every value, escrow and fee after
 * an extension, and one slash per missed-proof report.
 */
const h = await connectStrata();
const { deployment, as } = await h.deploy();
const nodes = await h.registerNodes(deployment, 3);
const m = marketActions(h, deployment);
const owner = h.wallet(8);
const market = as(owner).market;
let rpc: Awaited<ReturnType<typeof serveProvider>>;
let indexer: Awaited<ReturnType<typeof startTestIndexer>>;

beforeAll(async () => {
  rpc = await serveProvider(h.connection.provider);
  indexer = await startTestIndexer(rpc.url, deployment);
}, 120_000);

afterAll(async () => {
  await indexer?.stop();
  await rpc?.close();
});

async function indexed<T>(path: string): Promise<T> {
  await waitIndexed(h, indexer.indexer);
  const response = await fetch(`${indexer.indexer.url}${path}`);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

const blob = (blobId: Hex) => indexed<IndexedBlobDetail>(`/blobs/${blobId}`);
const node = (nodeId: number) => indexed<IndexedNodeDetail>(`/nodes/${nodeId}`);
const listed = async (query: string) =>
  (
    await indexed<{ blobs: { blobId: string }[] }>(`/blobs?owner=${owner.account.address}&${query}`)
  ).blobs.map((b) => b.blobId);

/** Moves the chain's clock to the first period after the blob's term. */
async function pastTerm(blobId: Hex) {
  const { endPeriod } = await market.read.getBlob([blobId]);
  while ((await m.currentPeriod()) < endPeriod) await m.nextPeriod();
}

describe("a blob's status, as the market's events leave it", () => {
  test("deleted early, then settled: `settled` (and `deleted` stays true); ?status= finds it by each", async () => {
    const stored = await m.store({ owner, nodes: [nodes[0] as TestNode], epochs: 1 });
    await m.nextPeriod();
    await h.wait(await market.write.deleteBlob([stored.blobId]));
    expect(await blob(stored.blobId)).toMatchObject({
      status: "deleted",
      chainStatus: "deleted",
      deleted: true,
    });
    expect(await listed("status=deleted")).toContain(stored.blobId);
    await pastTerm(stored.blobId);
    // the term is over, but nothing is settled yet: still what the owner did
    expect((await blob(stored.blobId)).status).toBe("deleted");
    await h.wait(await market.write.settle([stored.blobId]));
    const settled = await blob(stored.blobId);
    expect(settled).toMatchObject({ status: "settled", chainStatus: "settled", deleted: true });
    expect((await market.read.getBlob([stored.blobId])).status).toBe(BlobStatus.settled);
    expect(await listed("status=settled")).toContain(stored.blobId);
    expect(await listed("status=deleted")).not.toContain(stored.blobId);
    // the delete's refund and the settle's (zero here, or the rounding) are both counted
    expect(settled.payments.map((p) => p.kind)).toEqual(["escrow", "refund", "refund"]);
  });

  test("a term run out: `expired` until settled, then `settled` (never deleted)", async () => {
    const stored = await m.store({ owner, nodes: [nodes[1] as TestNode], epochs: 1 });
    expect((await blob(stored.blobId)).status).toBe("certified");
    await pastTerm(stored.blobId);
    expect((await blob(stored.blobId)).status).toBe("expired");
    expect(await listed("status=expired")).toContain(stored.blobId);
    await h.wait(await market.write.settle([stored.blobId]));
    expect(await blob(stored.blobId)).toMatchObject({
      status: "settled",
      chainStatus: "settled",
      deleted: false,
    });
  });

  test("never certified: `registered`, `expired` after the deadline, `reclaimed` once refunded", async () => {
    const registered = await m.register({ owner, nodes: [nodes[2] as TestNode], epochs: 1 });
    expect((await blob(registered.blobId)).status).toBe("registered");
    expect(await listed("status=registered")).toContain(registered.blobId);
    await h.networkHelpers.time.increase(testParams.certifyWindow + 1);
    expect((await blob(registered.blobId)).status).toBe("expired");
    await h.wait(await market.write.reclaim([registered.blobId]));
    const reclaimed = await blob(registered.blobId);
    expect(reclaimed).toMatchObject({ status: "reclaimed", chainStatus: "reclaimed", deleted: false });
    expect(BigInt(reclaimed.refunded)).toBe(registered.cost + registered.fee);
    expect(await listed("status=reclaimed")).toEqual([registered.blobId]);
    expect(await listed("status=expired")).not.toContain(registered.blobId);
  });
});

describe("money after an extension", () => {
  test("escrow and fee are the chain's, paid counts every token paid in; certified and not yet", async () => {
    for (const certify of [true, false]) {
      const stored = certify
        ? await m.store({ owner, nodes: [nodes[0] as TestNode, nodes[1] as TestNode], epochs: 2 })
        : await m.register({ owner, nodes: [nodes[0] as TestNode], epochs: 2 });
      const before = await blob(stored.blobId);
      expect(BigInt(before.escrow)).toBe(stored.cost);
      expect(BigInt(before.fee)).toBe(stored.fee);
      expect(BigInt(before.paid)).toBe(stored.cost + stored.fee);
      let paidIn = stored.cost + stored.fee;
      for (const epochs of [3, 1]) {
        await h.wait(await as(owner).token.write.faucet([10n ** 24n]));
        await h.wait(await as(owner).token.write.approve([deployment.contracts.market, 10n ** 24n]));
        const balance = await as(owner).token.read.balanceOf([owner.account.address]);
        await h.wait(await market.write.extend([stored.blobId, epochs]));
        paidIn += balance - (await as(owner).token.read.balanceOf([owner.account.address]));
        const chain = await market.read.getBlob([stored.blobId]);
        const after = await blob(stored.blobId);
        expect(
          {
            escrow: after.escrow,
            fee: after.fee,
            paid: after.paid,
            epochs: after.epochs,
            end: after.endPeriod,
          },
          `certified ${certify}, +${epochs}`,
        ).toEqual({
          escrow: chain.escrow.toString(),
          fee: chain.fee.toString(),
          paid: paidIn.toString(),
          epochs: chain.epochs,
          end: certify ? chain.endPeriod : null,
        });
      }
      expect((await blob(stored.blobId)).payments.map((p) => p.kind)).toEqual([
        "escrow",
        "extension",
        "extension",
      ]);
    }
  });
});

describe("slashes", () => {
  test("one missed-proof report is one slash (two NodeSlashed events: reporter's share, treasury's)", async () => {
    const lazy = nodes[2] as TestNode;
    const reporter = h.wallet(9);
    const stakeOf = async () => (await as(owner).registry.read.getNode([lazy.nodeId])).stake;
    await m.store({ owner, nodes: [lazy], epochs: 2 });
    const stake = await stakeOf();
    for (const reports of [1, 2]) {
      await m.nextPeriod();
      await m.revealSeed();
      const period = await m.currentPeriod();
      await m.nextPeriod();
      const receipt = await h.wait(await as(reporter).proofs.write.reportMissedProof([lazy.nodeId, period]));
      expect(
        receipt.logs.filter(
          (log) => log.address.toLowerCase() === deployment.contracts.registry.toLowerCase(),
        ),
      ).toHaveLength(2);
      const indexedNode = await node(lazy.nodeId);
      const reporterShare = (testParams.slashAmount * BigInt(testParams.reporterBps)) / 10_000n;
      expect({
        slashes: indexedNode.slashes,
        missedProofs: indexedNode.missedProofs,
        slashed: indexedNode.slashed,
        stake: indexedNode.stake,
      }).toEqual({
        slashes: reports,
        missedProofs: reports,
        slashed: (testParams.slashAmount * BigInt(reports)).toString(),
        stake: (await stakeOf()).toString(),
      });
      expect(BigInt(indexedNode.stake)).toBe(stake - testParams.slashAmount * BigInt(reports));
      expect(indexedNode.slashHistory).toHaveLength(reports);
      expect(indexedNode.slashHistory.at(-1)).toMatchObject({
        nodeId: lazy.nodeId,
        amount: testParams.slashAmount.toString(),
        remaining: indexedNode.stake,
        shares: [
          { recipient: getAddress(reporter.account.address), amount: reporterShare.toString() },
          { amount: (testParams.slashAmount - reporterShare).toString() },
        ],
        block: { tx: receipt.transactionHash },
      });
    }
  });
});
