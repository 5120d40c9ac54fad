import { getAddress, parseEventLogs, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { beforeEach, describe, expect, test } from "vitest";
import { nodeRegistryAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import {
  connectStrata,
  contractsFor,
  nodeParams,
  type StrataHarness,
  signerKey,
  TOKEN,
  testParams,
} from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";

const h: StrataHarness = await connectStrata();
const fixture = () => h.deploy();

describe("NodeRegistry", () => {
  let env: Awaited<ReturnType<typeof fixture>>;
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(fixture);
  });

  const operator = () => h.wallet(2);
  const signer = privateKeyToAccount(signerKey(0));

  test("register stores the node and emits NodeRegistered with every field", async () => {
    const { registry } = env.as(operator());
    const params = nodeParams(signer.address, 0);
    const receipt = await h.wait(await registry.write.register([params]));
    const [event] = parseEventLogs({ abi: nodeRegistryAbi, logs: receipt.logs, eventName: "NodeRegistered" });
    expect(event?.args).toEqual({
      nodeId: 1,
      operator: getAddress(operator().account.address),
      signer: signer.address,
      endpoint: params.endpoint,
      peerId: params.peerId,
      multiaddrs: params.multiaddrs,
      tiers: 3,
      capacity: params.capacity,
      pricePerByteEpoch: params.pricePerByteEpoch,
    });
    const node = await registry.read.getNode([1]);
    expect(node).toMatchObject({
      operator: getAddress(operator().account.address),
      signer: signer.address,
      tiers: 3,
      jailed: false,
      stake: 0n,
      unbondingAt: 0n,
      endpoint: params.endpoint,
      multiaddrs: params.multiaddrs,
    });
    expect(await registry.read.nodeCount()).toBe(1);
    expect(await registry.read.isActive([1])).toBe(false);
    expect(await registry.read.nodeAccounts([1])).toEqual([
      getAddress(operator().account.address),
      signer.address,
    ]);
  });

  test("register refuses bad declarations", async () => {
    const { registry } = env.as(operator());
    const me = operator().account.address;
    await expectRevert(registry.write.register([nodeParams(zeroAddress, 0)]), "NodeRegistryInvalidSigner", [
      zeroAddress,
    ]);
    await expectRevert(registry.write.register([nodeParams(me, 0)]), "NodeRegistryInvalidSigner", [
      getAddress(me),
    ]);
    await expectRevert(
      registry.write.register([nodeParams(signer.address, 0, { tiers: 0 })]),
      "NodeRegistryInvalidTiers",
      [0],
    );
    await expectRevert(
      registry.write.register([nodeParams(signer.address, 0, { tiers: 4 })]),
      "NodeRegistryInvalidTiers",
      [4],
    );
    await expectRevert(
      registry.write.register([nodeParams(signer.address, 0, { capacity: 0n })]),
      "NodeRegistryInvalidCapacity",
    );
    await expectRevert(
      registry.write.register([nodeParams(signer.address, 0, { pricePerByteEpoch: 0n })]),
      "NodeRegistryInvalidPrice",
    );
    await expectRevert(
      registry.write.register([nodeParams(signer.address, 0, { endpoint: "" })]),
      "NodeRegistryEmptyEndpoint",
    );
    expect(await registry.read.nodeCount()).toBe(0);
  });

  test("update replaces the declaration; only the operator may", async () => {
    const [node] = await h.registerNodes(env.deployment, 1);
    const other = env.as(h.wallet(3));
    const params = nodeParams(signer.address, 0, {
      endpoint: "http://10.0.0.1:9000",
      multiaddrs: [],
      tiers: 1,
    });
    await expectRevert(other.registry.write.update([1, params]), "NodeRegistryNotOperator", [
      1,
      getAddress(h.wallet(3).account.address),
    ]);
    await expectRevert(node!.as.registry.write.update([7, params]), "NodeRegistryUnknownNode", [7]);
    const receipt = await h.wait(await node!.as.registry.write.update([1, params]));
    const [event] = parseEventLogs({ abi: nodeRegistryAbi, logs: receipt.logs, eventName: "NodeUpdated" });
    expect(event?.args.endpoint).toBe("http://10.0.0.1:9000");
    const stored = await node!.as.registry.read.getNode([1]);
    expect(stored.multiaddrs).toEqual([]);
    expect(stored.tiers).toBe(1);
  });

  test("stake pulls tokens and activates the node at the minimum", async () => {
    const { registry, token } = env.as(operator());
    await h.wait(await registry.write.register([nodeParams(signer.address, 0)]));
    await h.wait(await token.write.faucet([200n * TOKEN]));
    await h.wait(await token.write.approve([env.deployment.contracts.registry, 200n * TOKEN]));
    await expectRevert(registry.write.stake([1, 0n]), "NodeRegistryZeroAmount");
    await expectRevert(registry.write.stake([9, 1n]), "NodeRegistryUnknownNode", [9]);
    const receipt = await h.wait(await registry.write.stake([1, 60n * TOKEN]));
    const [event] = parseEventLogs({ abi: nodeRegistryAbi, logs: receipt.logs, eventName: "NodeStaked" });
    expect(event?.args).toMatchObject({ nodeId: 1, amount: 60n * TOKEN, total: 60n * TOKEN });
    expect(await registry.read.isActive([1])).toBe(false);
    await h.wait(await registry.write.stake([1, 40n * TOKEN]));
    expect(await registry.read.isActive([1])).toBe(true);
    expect(await token.read.balanceOf([env.deployment.contracts.registry])).toBe(100n * TOKEN);
    expect(await token.read.balanceOf([operator().account.address])).toBe(100n * TOKEN);
  });

  test("unstake: request, wait out the delay, withdraw everything; never early, never twice", async () => {
    const [node] = await h.registerNodes(env.deployment, 1);
    const { registry, token } = node!.as;
    await expectRevert(registry.write.withdraw([1]), "NodeRegistryNotUnbonding", [1]);
    await expectRevert(env.as(h.wallet(3)).registry.write.requestUnstake([1]), "NodeRegistryNotOperator");
    const receipt = await h.wait(await registry.write.requestUnstake([1]));
    const [event] = parseEventLogs({
      abi: nodeRegistryAbi,
      logs: receipt.logs,
      eventName: "UnstakeRequested",
    });
    const block = await h.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    expect(event?.args.availableAt).toBe(block.timestamp + testParams.unbondingDelay);
    expect(await registry.read.isActive([1])).toBe(false);
    await expectRevert(registry.write.requestUnstake([1]), "NodeRegistryUnbonding", [1]);
    await expectRevert(registry.write.stake([1, 1n]), "NodeRegistryUnbonding", [1]);
    await expectRevert(registry.write.withdraw([1]), "NodeRegistryUnbondingNotElapsed", [
      1,
      event?.args.availableAt,
    ]);
    await h.networkHelpers.time.increaseTo(event!.args.availableAt);
    const before = await token.read.balanceOf([node!.operator.account.address]);
    await h.wait(await registry.write.withdraw([1]));
    expect((await token.read.balanceOf([node!.operator.account.address])) - before).toBe(testParams.minStake);
    expect((await registry.read.getNode([1])).stake).toBe(0n);
    await expectRevert(registry.write.withdraw([1]), "NodeRegistryNothingToWithdraw", [1]);
  });

  test("withdraw is refused while the node holds a certified, unexpired blob", async () => {
    const nodes = await h.registerNodes(env.deployment, 1);
    const market = marketActions(h, env.deployment);
    const blob = await market.store({ owner: h.wallet(8), nodes });
    const { registry, proofs } = nodes[0]!.as;
    await h.wait(await registry.write.requestUnstake([1]));
    await h.networkHelpers.time.increase(Number(testParams.unbondingDelay));
    await expectRevert(registry.write.withdraw([1]), "NodeRegistryStakeLocked", [1]);
    // after the term the node prunes the blob; the lock lifts
    await market.nextPeriod(2 * 10 + 1);
    await h.wait(await proofs.write.prune([1, [blob.blobId]]));
    expect(await proofs.read.isStakeLocked([1])).toBe(false);
    await h.wait(await registry.write.withdraw([1]));
  });

  test("slash and jail only by the slasher role; slash sends the amount where the caller says", async () => {
    const [node] = await h.registerNodes(env.deployment, 1);
    const outsider = env.as(h.wallet(9));
    await expectRevert(
      outsider.registry.write.slash([1, TOKEN, h.wallet(9).account.address]),
      "AccessControlUnauthorizedAccount",
    );
    await expectRevert(outsider.registry.write.jail([1]), "AccessControlUnauthorizedAccount");
    const admin = env.as(h.wallet(0));
    const role = await admin.registry.read.SLASHER_ROLE();
    await h.wait(await admin.registry.write.grantRole([role, h.wallet(0).account.address]));
    const to = h.wallet(9).account.address;
    await expectRevert(admin.registry.write.slash([1, TOKEN, zeroAddress]), "NodeRegistryZeroAddress");
    const receipt = await h.wait(await admin.registry.write.slash([1, 30n * TOKEN, to]));
    const [event] = parseEventLogs({ abi: nodeRegistryAbi, logs: receipt.logs, eventName: "NodeSlashed" });
    expect(event?.args).toMatchObject({
      nodeId: 1,
      recipient: getAddress(to),
      amount: 30n * TOKEN,
      remaining: 70n * TOKEN,
    });
    expect(await admin.token.read.balanceOf([to])).toBe(30n * TOKEN);
    expect(await admin.registry.read.isActive([1])).toBe(false);
    // capped by the stake
    await h.wait(await admin.registry.write.slash([1, 1000n * TOKEN, to]));
    expect((await admin.registry.read.getNode([1])).stake).toBe(0n);
    expect(await admin.token.read.balanceOf([to])).toBe(100n * TOKEN);
    await h.wait(await admin.registry.write.jail([1]));
    expect((await node!.as.registry.read.getNode([1])).jailed).toBe(true);
  });

  test("the stake guard is set once, by the admin", async () => {
    const admin = env.as(h.wallet(0));
    await expectRevert(
      admin.registry.write.setStakeGuard([h.wallet(5).account.address]),
      "NodeRegistryGuardAlreadySet",
    );
    await expectRevert(
      env.as(h.wallet(5)).registry.write.setStakeGuard([h.wallet(5).account.address]),
      "AccessControlUnauthorizedAccount",
    );
    expect(await admin.registry.read.stakeGuard()).toBe(env.deployment.contracts.proofSystem);
  });

  test("nodeTerms refuses inactive nodes and unserved tiers", async () => {
    const nodes = await h.registerNodes(env.deployment, 2, (i) => (i === 1 ? { tiers: 2 } : {}));
    const { registry } = contractsFor(env.deployment, h.publicClient, h.wallet(0));
    const prices = await registry.read.nodeTerms([[1, 2], 1]);
    expect(prices).toEqual(nodes.map((n) => n.price));
    expect(await registry.read.signersOf([[1, 2, 3]])).toEqual([
      ...nodes.map((n) => n.signer.address),
      "0x0000000000000000000000000000000000000000",
    ]);
    await expectRevert(registry.read.nodeTerms([[1, 2], 0]), "NodeRegistryTierNotServed", [2, 0]);
    await expectRevert(registry.read.nodeTerms([[3], 0]), "NodeRegistryNodeInactive", [3]);
  });
});
