import { encodeFunctionData, getContract, parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { nodeRegistryAbi, storageMarketAbi, strataErrorsAbi } from "#protocol";
import {
  blobParams,
  connectStrata,
  nodeParams,
  randomBytes,
  signerKey,
  TOKEN,
  testParams,
} from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";

const h = await connectStrata();

/** Registry and market over a token that calls back into them during transfers. */
async function deployWithReentrantToken() {
  const [deployer, operator, owner] = [h.wallet(0), h.wallet(2), h.wallet(8)];
  const token = await h.viem.deployContract("ReentrantToken");
  const registry = await h.viem.deployContract("NodeRegistry", [
    token.address,
    testParams.minStake,
    testParams.unbondingDelay,
    deployer.account.address,
  ]);
  const market = await h.viem.deployContract("StorageMarket", [
    {
      token: token.address,
      registry: registry.address,
      treasury: deployer.account.address,
      epochSeconds: testParams.epochSeconds,
      periodSeconds: testParams.periodSeconds,
      feeBps: testParams.feeBps,
      certifyWindow: testParams.certifyWindow,
      coldMargin: testParams.coldMargin,
      samplesPerProof: testParams.samplesPerProof,
      missesToDrop: testParams.missesToDrop,
      slashAmount: testParams.slashAmount,
      reporterBps: testParams.reporterBps,
    },
  ]);
  const abi = [...storageMarketAbi, ...strataErrorsAbi];
  const asOwner = getContract({
    address: market.address,
    abi,
    client: { public: h.publicClient, wallet: owner },
  });
  const regAsOperator = getContract({
    address: registry.address,
    abi: [...nodeRegistryAbi, ...strataErrorsAbi],
    client: { public: h.publicClient, wallet: operator },
  });
  const signer = privateKeyToAccount(signerKey(0));
  const registered = await h.wait(await regAsOperator.write.register([nodeParams(signer.address, 0)]));
  const [event] = parseEventLogs({
    abi: nodeRegistryAbi,
    logs: registered.logs,
    eventName: "NodeRegistered",
  });
  const nodeId = Number(event?.args.nodeId);
  await h.wait(await token.write.mint([operator.account.address, 1000n * TOKEN]));
  await h.wait(await token.write.approve([registry.address, 1000n * TOKEN], { account: operator.account }));
  await h.wait(await regAsOperator.write.stake([nodeId, testParams.minStake]));
  await h.wait(await token.write.mint([owner.account.address, 1000n * TOKEN]));
  await h.wait(await token.write.approve([market.address, 1000n * TOKEN], { account: owner.account }));
  return { token, market, registry, asOwner, regAsOperator, nodeId, owner, operator };
}

describe("reentrant token", () => {
  test("a token calling back during a refund cannot re-enter deleteBlob", async () => {
    const env = await deployWithReentrantToken();
    const params = blobParams({ owner: env.owner, nodes: [], data: randomBytes(100) });
    params.nodes = [env.nodeId];
    const receipt = await h.wait(await env.asOwner.write.registerBlob([params]));
    const [event] = parseEventLogs({
      abi: storageMarketAbi,
      logs: receipt.logs,
      eventName: "BlobRegistered",
    });
    const blobId = event!.args.blobId;
    const balance = await env.token.read.balanceOf([env.market.address]);
    await h.wait(
      await env.token.write.arm([
        env.market.address,
        encodeFunctionData({ abi: storageMarketAbi, functionName: "deleteBlob", args: [blobId] }),
      ]),
    );
    await expectRevert(env.asOwner.write.deleteBlob([blobId]), "ReentrancyGuardReentrantCall");
    expect(await env.token.read.balanceOf([env.market.address])).toBe(balance);
    expect((await env.asOwner.read.getBlob([blobId])).status).toBe(1);
  });

  test("a token calling back during escrow cannot re-enter registerBlob", async () => {
    const env = await deployWithReentrantToken();
    const params = blobParams({ owner: env.owner, nodes: [], data: randomBytes(100) });
    params.nodes = [env.nodeId];
    await h.wait(
      await env.token.write.arm([
        env.market.address,
        encodeFunctionData({ abi: storageMarketAbi, functionName: "registerBlob", args: [params] }),
      ]),
    );
    await expectRevert(env.asOwner.write.registerBlob([params]), "ReentrancyGuardReentrantCall");
    expect(await env.token.read.balanceOf([env.market.address])).toBe(0n);
  });

  test("a token calling back during a stake payout cannot re-enter withdraw", async () => {
    const env = await deployWithReentrantToken();
    await h.wait(await env.regAsOperator.write.requestUnstake([env.nodeId]));
    await h.networkHelpers.time.increase(Number(testParams.unbondingDelay));
    await h.wait(
      await env.token.write.arm([
        env.registry.address,
        encodeFunctionData({ abi: nodeRegistryAbi, functionName: "withdraw", args: [env.nodeId] }),
      ]),
    );
    await expectRevert(env.regAsOperator.write.withdraw([env.nodeId]), "ReentrancyGuardReentrantCall");
    expect(await env.token.read.balanceOf([env.registry.address])).toBe(testParams.minStake);
  });
});
