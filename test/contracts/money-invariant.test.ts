import { type Hex, type Log, parseEventLogs } from "viem";
import { describe, expect, test } from "vitest";
import { BlobStatus, storageMarketAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { connectStrata } from "../../devnet/strata-fixture.ts";
import { claimAll, type OwnedBlob, runWorkload } from "../helpers/random-workload.ts";

const h = await connectStrata();

/** Seeds of the random sequences; FUZZ_SEEDS=n runs n more, from a random start. */
function seeds(): number[] {
  const fixed = [11, 23, 47, 89, 131, 257];
  const extra = Number(process.env.FUZZ_SEEDS ?? 0);
  const start = Math.floor(Math.random() * 1e6);
  return [...fixed, ...Array.from({ length: extra }, (_, i) => start + i)];
}

describe("money invariant", () => {
  for (const seed of seeds()) {
    test(`escrow in equals node pay + refunds + fees, never more (seed ${seed})`, async () => {
      const { deployment, as } = await h.deploy();
      const nodes = await h.registerNodes(deployment, 5);
      const m = marketActions(h, deployment);
      const blobs: OwnedBlob[] = [];
      const market = as(h.wallet(0)).market;
      const token = as(h.wallet(0)).token;
      const flows = { in: 0n, nodePay: 0n, refunds: 0n, fees: 0n };

      const record = (logs: Log[]) => {
        for (const log of parseEventLogs({ abi: storageMarketAbi, logs })) {
          if (log.eventName === "BlobRegistered") flows.in += log.args.escrow + log.args.fee;
          if (log.eventName === "BlobExtended") flows.in += log.args.paid;
          if (log.eventName === "PaymentClaimed") flows.nodePay += log.args.amount;
          if (
            log.eventName === "BlobDeleted" ||
            log.eventName === "BlobReclaimed" ||
            log.eventName === "BlobSettled"
          )
            flows.refunds += log.args.refund;
          if (log.eventName === "FeesCollected") flows.fees += log.args.amount;
        }
      };
      const send = async (hash: Promise<Hex>) => record((await h.wait(await hash)).logs);

      /** What the market holds must be exactly what it still owes. */
      const checkBalance = async () => {
        let owed = await market.read.feesAccrued();
        for (const blob of blobs) {
          const stored = await market.read.getBlob([blob.blobId]);
          owed += stored.escrow + stored.fee;
        }
        for (const node of nodes) owed += await market.read.creditOf([node.nodeId]);
        const held = await token.read.balanceOf([deployment.contracts.market]);
        if (process.env.TRACE_FUZZ && held !== owed) {
          for (const blob of blobs) console.log(await market.read.getBlob([blob.blobId]));
          console.log({ fees: await market.read.feesAccrued(), held, owed });
        }
        expect(held).toBe(owed);
        expect(flows.in - flows.nodePay - flows.refunds - flows.fees).toBe(held);
      };

      await runWorkload({
        h,
        deployment,
        nodes,
        seed,
        steps: 60,
        onLogs: record,
        afterStep: async (made) => {
          blobs.splice(0, blobs.length, ...made);
          await checkBalance();
        },
      });

      // wind everything down: every term ends, is settled, every node claims, fees are collected
      await m.nextPeriod(60);
      for (const blob of blobs) {
        const stored = await market.read.getBlob([blob.blobId]);
        if (
          stored.status === BlobStatus.certified ||
          (stored.status === BlobStatus.deleted && stored.startPeriod !== 0)
        ) {
          await send(market.write.settle([blob.blobId]));
        } else if (stored.status === BlobStatus.registered) {
          await send(as(blob.owner).market.write.reclaim([blob.blobId]));
        }
      }
      for (const node of nodes) await claimAll(node, blobs, send);
      await send(market.write.collectFees());
      await checkBalance();
      expect(await token.read.balanceOf([deployment.contracts.market])).toBe(0n);
      expect(flows.in).toBe(flows.nodePay + flows.refunds + flows.fees);
      expect(flows.nodePay).toBeGreaterThan(0n);
    });
  }
});
