// The StrataClient calls beyond upload, against storage nodes and an indexer over a real
// (in-process Hardhat) chain: quote, list, extend, reclaim, requestUnstake and withdraw, asserted
// by their effect on balances, status and terms; reverts (reads included) come back decoded.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prepareBlob, registerPrepared } from "../../devnet/blob-upload.ts";
import { randomBytes, TOKEN, testParams } from "../../devnet/strata-fixture.ts";
import { ContractRevertError, NodeUnavailableError, type StrataClient } from "../../sdk/index.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "./sdk-network.ts";

let net: SdkNetwork;
let dapp: StrataClient;
/** The fourth node is registered and staked but never started; its operator unstakes it. */
let idle: { nodeId: number; operator: StrataClient };

beforeAll(async () => {
  net = await startSdkNetwork({ registered: 4, running: 3 });
  dapp = net.client(net.h.wallet(8));
  await dapp.faucet(FUNDS);
  const node = net.nodes[3];
  if (!node) throw new Error("no fourth node");
  idle = { nodeId: node.nodeId, operator: net.client(node.operator) };
});

afterAll(async () => {
  await net?.stop();
});

const periodsPerEpoch = testParams.epochSeconds / testParams.periodSeconds;

async function expectRevert(call: Promise<unknown>, errorName: string) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContractRevertError);
  expect((error as ContractRevertError).code).toBe("STRATA_ERR_REVERTED");
  expect((error as ContractRevertError).errorName).toBe(errorName);
  return error as ContractRevertError;
}

describe("quote and list", () => {
  test("quote prices the three cheapest running nodes, plus the fee", async () => {
    const q = await dapp.quote({ size: 1000, epochs: 2 });
    const running = net.nodes.slice(0, 3);
    expect(q.nodes).toEqual(running.map((n) => n.nodeId).sort((a, b) => a - b));
    const cost = running.reduce((sum, n) => sum + n.price, 0n) * 1000n * 2n;
    expect(q.cost).toBe(cost);
    expect(q.fee).toBe((cost * BigInt(testParams.feeBps)) / 10_000n);
    expect(q.total).toBe(cost + q.fee);
  });

  test("list returns the signer's uploads from the indexer, newest first", async () => {
    const first = await dapp.upload(randomBytes(10_000, 7), { name: "first.bin", tags: ["listed"] });
    const second = await dapp.upload(randomBytes(12_000, 8), { name: "second.bin", tags: ["listed"] });
    await net.indexed();
    const page = await dapp.list();
    const ids = page.blobs.map((b) => b.blobId.toLowerCase());
    expect(ids.indexOf(second.blobId.toLowerCase())).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(second.blobId.toLowerCase())).toBeLessThan(ids.indexOf(first.blobId.toLowerCase()));
    expect(
      page.blobs.every((b) => b.owner.toLowerCase() === net.h.wallet(8).account.address.toLowerCase()),
    ).toBe(true);
    const other = await net.client(net.h.wallet(9)).list();
    expect(other.blobs.map((b) => b.blobId.toLowerCase())).not.toContain(first.blobId.toLowerCase());
  });
});

describe("extend and reclaim", () => {
  test("extend pays for more epochs and moves the end period", async () => {
    const uploaded = await dapp.upload(randomBytes(20_000, 9), { epochs: 1 });
    const before = await dapp.status(uploaded.blobId);
    const balance = await dapp.balance();
    const { paidAtMost } = await dapp.extend(uploaded.blobId, 2);
    const after = await dapp.status(uploaded.blobId);
    expect(after.epochs).toBe(3);
    expect(after.endPeriod).toBe(before.endPeriod + 2 * periodsPerEpoch);
    // the holders' prices for two more epochs go to escrow; the fee on them to the treasury
    const cost = net.nodes.slice(0, 3).reduce((sum, n) => sum + n.price, 0n) * 20_000n * 2n;
    expect(after.escrow - before.escrow).toBe(cost);
    const paid = balance - (await dapp.balance());
    expect(paid).toBeGreaterThan(cost);
    expect(paid).toBeLessThanOrEqual(paidAtMost);
  });

  test("reclaim refunds an upload never certified, once its deadline has passed", async () => {
    const owner = net.h.wallet(8);
    const blob = await prepareBlob(randomBytes(5_000, 10));
    const blobId = await registerPrepared(net.h, net.deployment, owner, net.nodes.slice(0, 3), blob);
    const escrow = (await dapp.status(blobId)).escrow;
    expect(escrow).toBeGreaterThan(0n);
    await expectRevert(dapp.reclaim(blobId), "StorageMarketCertifyDeadlinePending");
    await net.h.networkHelpers.time.increase(testParams.certifyWindow + 1);
    const balance = await dapp.balance();
    await dapp.reclaim(blobId);
    // the whole price comes back, the fee on it included
    expect(await dapp.balance()).toBe(balance + escrow + (escrow * BigInt(testParams.feeBps)) / 10_000n);
    expect((await dapp.status(blobId)).status).toBe("reclaimed");
  });
});

describe("delete", () => {
  test("ends the blob on chain and asks its holders to drop it: each confirms, or is named with its code", async () => {
    const uploaded = await dapp.upload(randomBytes(7_000, 14), { replicas: 2 });
    await net.indexed();
    const holders = (await dapp.status(uploaded.blobId)).nodes;
    const { dropped, refused } = await dapp.delete(uploaded.blobId);
    expect((await dapp.status(uploaded.blobId)).status).toBe("deleted");
    expect([...dropped, ...refused.map((r) => r.nodeId)].sort()).toEqual([...holders].sort());
    // a holder that saw the deletion on chain first has nothing left to drop
    for (const refusal of refused) expect(refusal).toMatchObject({ status: 404, code: "NODE_ERR_NOT_FOUND" });
  });
});

describe("an operator leaves", () => {
  test("requestUnstake makes the node inactive: a quote on it reverts, decoded by name", async () => {
    const { nodeId, operator } = idle;
    expect((await dapp.quote({ size: 1000, nodes: [nodeId] })).cost).toBeGreaterThan(0n);
    await operator.requestUnstake(nodeId);
    const revert = await expectRevert(
      dapp.quote({ size: 1000, nodes: [nodeId] }),
      "NodeRegistryNodeInactive",
    );
    expect(revert.functionName).toBe("quote");
    expect(revert.args.map(Number)).toEqual([nodeId]);
    // an upload naming it is refused before anything is paid
    const balance = await dapp.balance();
    const refused = await dapp.upload(randomBytes(1_000, 11), { nodes: [nodeId] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NodeUnavailableError);
    expect((refused as NodeUnavailableError).reason).toBe("NODE_ERR_NODE_INACTIVE");
    expect(await dapp.balance()).toBe(balance);
  });

  test("withdraw pays the stake back once the unbonding delay has passed", async () => {
    const { nodeId, operator } = idle;
    await expectRevert(operator.withdraw(nodeId), "NodeRegistryUnbondingNotElapsed");
    await net.h.networkHelpers.time.increase(Number(testParams.unbondingDelay) + 1);
    const balance = await operator.balance();
    await operator.withdraw(nodeId);
    expect(await operator.balance()).toBe(balance + testParams.minStake);
    await expectRevert(operator.withdraw(nodeId), "NodeRegistryNothingToWithdraw");
    expect(testParams.minStake).toBe(100n * TOKEN);
  });
});

describe("a node that cannot take uploads", () => {
  test("a picked node that is down is left out before registering, and another picked", async () => {
    // the cheapest node stops; the indexer still lists it as active
    const down = net.nodes[0];
    await net.started.nodes[0]?.stop();
    const uploaded = await dapp.upload(randomBytes(8_000, 12), { replicas: 2 });
    const used = uploaded.nodes.map((n) => n.nodeId);
    expect(used).not.toContain(down?.nodeId);
    expect(used).toHaveLength(2);
    expect((await dapp.status(uploaded.blobId)).status).toBe("certified");
    // named, it is refused with the reason, before anything is paid
    const refused = await dapp
      .upload(randomBytes(1_000, 13), { nodes: [down?.nodeId as number] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NodeUnavailableError);
    expect((refused as NodeUnavailableError).message).toContain("unreachable");
  });
});
