import { type Hex, parseEventLogs } from "viem";
import { describe, expect, test } from "vitest";
import { BlobStatus, storageMarketAbi } from "#protocol";
import { marketActions, type RegisteredBlob } from "../helpers/market-actions.ts";
import { connectStrata, randomBytes, type TestNode } from "../helpers/strata-fixture.ts";

const h = await connectStrata();

/** A small seeded PRNG (mulberry32) so a failing sequence can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

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
      const rand = prng(seed);
      const owners = [h.wallet(8), h.wallet(9)];
      const blobs: (RegisteredBlob & { owner: (typeof owners)[number] })[] = [];
      const market = as(h.wallet(0)).market;
      const token = as(h.wallet(0)).token;
      const flows = { in: 0n, nodePay: 0n, refunds: 0n, fees: 0n };

      const record = (logs: Parameters<typeof parseEventLogs>[0]["logs"]) => {
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

      const claimAll = async (node: TestNode) => {
        const mine = blobs.flatMap((blob) => {
          const holder = blob.nodes.indexOf(node);
          return holder < 0 ? [] : [{ blobId: blob.blobId, holder }];
        });
        const ids = mine.map((x) => x.blobId);
        const holders = mine.map((x) => x.holder);
        try {
          await send(node.as.market.write.claim([node.nodeId, ids, holders]));
        } catch (error) {
          if (!String(error).includes("StorageMarketNothingToClaim")) throw error;
        }
      };

      for (let step = 0; step < 60; step += 1) {
        const action = rand.int(0, 9);
        if (process.env.TRACE_FUZZ) console.log("step", step, "action", action);
        if (action <= 2 || blobs.length === 0) {
          const chosen = nodes.filter(() => rand.chance(0.6));
          const holders = chosen.length > 0 ? chosen : [rand.pick(nodes)];
          const cold = holders.length >= 2 && rand.chance(0.3);
          const size = rand.int(1, 3000);
          const recovery = cold ? rand.int(1, holders.length) : 0;
          const owner = rand.pick(owners);
          const blob = await m.register({
            owner,
            nodes: holders,
            data: randomBytes(size, seed * 1000 + step),
            epochs: rand.int(1, 2),
            tier: cold ? "cold" : "hot",
            recovery,
            shardSize: cold ? BigInt(Math.ceil(size / recovery)) : 0n,
          });
          flows.in += blob.cost + blob.fee;
          blobs.push({ ...blob, owner });
          if (rand.chance(0.8)) {
            await m.enroll(blob);
            await send(as(owner).market.write.certify([blob.blobId, await m.attestations(blob)]));
          }
        } else if (action === 3) {
          const blob = rand.pick(blobs);
          const status = (await market.read.getBlob([blob.blobId])).status;
          const period = await m.currentPeriod();
          const { endPeriod } = await market.read.getBlob([blob.blobId]);
          if (status === BlobStatus.registered || (status === BlobStatus.certified && period < endPeriod)) {
            const payer = as(rand.pick(owners));
            await send(payer.token.write.faucet([10n ** 24n]));
            await send(payer.token.write.approve([deployment.contracts.market, 10n ** 24n]));
            await send(payer.market.write.extend([blob.blobId, 1]));
          }
        } else if (action === 4) {
          const blob = rand.pick(blobs);
          const stored = await market.read.getBlob([blob.blobId]);
          const period = await m.currentPeriod();
          if (
            stored.status === BlobStatus.registered ||
            (stored.status === BlobStatus.certified && period < stored.endPeriod)
          ) {
            await send(as(blob.owner).market.write.deleteBlob([blob.blobId]));
          }
        } else if (action <= 7) {
          // time passes; most nodes prove each period
          const periods = rand.int(1, 4);
          for (let p = 0; p < periods; p += 1) {
            await m.nextPeriod();
            await m.revealSeed();
            for (const node of nodes) {
              if (!rand.chance(0.8)) continue;
              try {
                await send(node.as.proofs.write.submitProof([node.nodeId, await m.buildProof(node)]));
              } catch (error) {
                if (!String(error).includes("ProofsNotChallenged")) throw error;
              }
            }
          }
        } else if (action === 8) {
          await claimAll(rand.pick(nodes));
        } else {
          const period = await m.currentPeriod();
          for (const blob of blobs) {
            const stored = await market.read.getBlob([blob.blobId]);
            const wasCertified =
              stored.status === BlobStatus.certified ||
              (stored.status === BlobStatus.deleted && stored.startPeriod !== 0);
            const ended = wasCertified && period >= stored.endPeriod;
            if (ended) await send(market.write.settle([blob.blobId]));
            else if (stored.status === BlobStatus.registered && rand.chance(0.5)) {
              await h.networkHelpers.time.increase(400);
              await send(as(blob.owner).market.write.reclaim([blob.blobId]));
            }
          }
          await send(market.write.collectFees());
        }
        await checkBalance();
      }

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
      for (const node of nodes) await claimAll(node);
      await send(market.write.collectFees());
      await checkBalance();
      expect(await token.read.balanceOf([deployment.contracts.market])).toBe(0n);
      expect(flows.in).toBe(flows.nodePay + flows.refunds + flows.fees);
      expect(flows.nodePay).toBeGreaterThan(0n);
    });
  }
});
