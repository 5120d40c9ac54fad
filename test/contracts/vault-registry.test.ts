import { getContract, type Hex, hashTypedData, keccak256, parseEventLogs, toHex } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { restoredTypedData, vaultRegistryAbi } from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { connectStrata, type TestNode, TOKEN } from "../../devnet/strata-fixture.ts";
import { expectRevert } from "../helpers/expect-revert.ts";

const h = await connectStrata();
const EPOCH = 600n;
const QUOTA = 1_000_000n;

async function fixture() {
  const env = await h.deploy();
  const nodes = await h.registerNodes(env.deployment, 3);
  const owner = h.wallet(8);
  const vaults = getContract({
    address: env.deployment.contracts.vaults,
    abi: vaultRegistryAbi,
    client: { public: h.publicClient, wallet: owner },
  });
  const as = env.as(owner);
  await h.wait(await as.token.write.faucet([1_000_000n * TOKEN]));
  await h.wait(await as.token.write.approve([env.deployment.contracts.vaults, 1_000_000n * TOKEN]));
  return { ...env, nodes, owner, vaults, m: marketActions(h, env.deployment) };
}

type Env = Awaited<ReturnType<typeof fixture>>;

/** Opens a vault of QUOTA bytes on `home` for `epochs` epochs; its id. */
async function open(env: Env, home: TestNode, epochs = 2): Promise<bigint> {
  const receipt = await h.wait(await env.vaults.write.openVault([home.nodeId, QUOTA, epochs]));
  const [opened] = parseEventLogs({ abi: vaultRegistryAbi, logs: receipt.logs, eventName: "VaultOpened" });
  if (!opened) throw new Error("no VaultOpened");
  return opened.args.vaultId;
}

/** The target node's signature that it restored `sequence` with manifest `manifest` of the vault. */
async function restored(
  env: Env,
  node: TestNode,
  vaultId: bigint,
  sequence: bigint,
  manifest: Hex,
  chainId?: number,
) {
  return node.signer.signTypedData(
    restoredTypedData(chainId ?? (await h.publicClient.getChainId()), env.deployment.contracts.vaults, {
      vaultId,
      sequence,
      manifestHash: keccak256(manifest),
      nodeId: node.nodeId,
    }),
  );
}

describe("VaultRegistry", () => {
  let env: Env;
  beforeEach(async () => {
    env = await h.networkHelpers.loadFixture(fixture);
  });

  test("opening takes the home's price for the quota into escrow; the home earns by the second and its operator claims", async () => {
    const home = env.nodes[0] as TestNode;
    const vaultId = await open(env, home, 2);
    const vault = await env.vaults.read.getVault([vaultId]);
    expect(vault).toMatchObject({
      home: home.nodeId,
      quota: QUOTA,
      pricePerByteEpoch: home.price,
      sequence: 0n,
    });
    expect(vault.escrow).toBe(home.price * QUOTA * 2n);
    await h.networkHelpers.time.increaseTo(vault.settledAt + EPOCH / 2n - 1n);
    await h.wait(await env.vaults.write.settle([vaultId]));
    const half = (home.price * QUOTA) / 2n;
    expect(await env.vaults.read.creditOf([home.nodeId])).toBe(half);
    expect((await env.vaults.read.getVault([vaultId])).escrow).toBe(home.price * QUOTA * 2n - half);
    await expectRevert(env.vaults.write.claim([home.nodeId]), "VaultRegistryNotOperator");
    const operator = getContract({
      address: env.deployment.contracts.vaults,
      abi: vaultRegistryAbi,
      client: { public: h.publicClient, wallet: home.operator },
    });
    const before = await home.as.token.read.balanceOf([home.operator.account.address]);
    await h.wait(await operator.write.claim([home.nodeId]));
    expect(await home.as.token.read.balanceOf([home.operator.account.address])).toBe(before + half);
    await expectRevert(operator.write.claim([home.nodeId]), "VaultRegistryNothingToClaim");
  });

  test("snapshots: sequences only go up, only the owner or the home commits, every blob named is certified", async () => {
    const home = env.nodes[0] as TestNode;
    const vaultId = await open(env, home);
    const certified = await env.m.store({ owner: env.owner, nodes: [home] });
    const uncertified = await env.m.register({ owner: env.owner, nodes: [home] });
    const manifest = toHex("bafy-manifest-1");
    await expectRevert(
      env.vaults.write.commitSnapshot([vaultId, 1n, manifest, [certified.blobId, uncertified.blobId]]),
      "VaultRegistryBlobNotCertified",
      [uncertified.blobId],
    );
    const stranger = getContract({
      address: env.deployment.contracts.vaults,
      abi: vaultRegistryAbi,
      client: { public: h.publicClient, wallet: h.wallet(9) },
    });
    await expectRevert(
      stranger.write.commitSnapshot([vaultId, 1n, manifest, []]),
      "VaultRegistryNotOwnerOrHome",
    );
    await h.wait(await env.vaults.write.commitSnapshot([vaultId, 1n, manifest, [certified.blobId]]));
    // the home node's signing key commits too
    const nodeWallet = await h.signerWallet(home);
    const asHome = getContract({
      address: env.deployment.contracts.vaults,
      abi: vaultRegistryAbi,
      client: { public: h.publicClient, wallet: nodeWallet },
    });
    await h.wait(
      await asHome.write.commitSnapshot([vaultId, 3n, toHex("bafy-manifest-3"), [certified.blobId]]),
    );
    await expectRevert(
      env.vaults.write.commitSnapshot([vaultId, 3n, manifest, []]),
      "VaultRegistryStaleSnapshot",
      [vaultId, 3n, 3n],
    );
    expect(await env.vaults.read.getVault([vaultId])).toMatchObject({
      sequence: 3n,
      manifestHash: keccak256(toHex("bafy-manifest-3")),
    });
  });

  test("the home moves only with the target's signature over the exact current snapshot; the escrow left pays it", async () => {
    const [home, target, other] = env.nodes as [TestNode, TestNode, TestNode];
    const vaultId = await open(env, home, 3);
    const manifest = toHex("bafy-manifest-7");
    await h.wait(await env.vaults.write.commitSnapshot([vaultId, 7n, manifest, []]));
    const chainId = await h.publicClient.getChainId();
    const wrong = [
      await restored(env, target, vaultId, 6n, manifest),
      await restored(env, target, vaultId, 7n, toHex("bafy-manifest-other")),
      await restored(env, other, vaultId, 7n, manifest),
      await restored(env, target, vaultId, 7n, manifest, chainId + 1),
    ];
    for (const signature of wrong) {
      await expectRevert(
        env.vaults.write.moveHome([vaultId, target.nodeId, signature]),
        "VaultRegistryInvalidRestore",
        [vaultId, target.nodeId],
      );
    }
    const good = await restored(env, target, vaultId, 7n, manifest);
    // the contract's digest is the one protocol/vaults computes
    expect(await env.vaults.read.restoreDigest([vaultId, 7n, keccak256(manifest), target.nodeId])).toBe(
      hashTypedData(
        restoredTypedData(chainId, env.deployment.contracts.vaults, {
          vaultId,
          sequence: 7n,
          manifestHash: keccak256(manifest),
          nodeId: target.nodeId,
        }),
      ),
    );
    const stranger = getContract({
      address: env.deployment.contracts.vaults,
      abi: vaultRegistryAbi,
      client: { public: h.publicClient, wallet: h.wallet(9) },
    });
    await expectRevert(stranger.write.moveHome([vaultId, target.nodeId, good]), "VaultRegistryNotOwner");
    await expectRevert(env.vaults.write.moveHome([vaultId, home.nodeId, good]), "VaultRegistrySameHome");
    await h.networkHelpers.time.increase(Number(EPOCH));
    await h.wait(await env.vaults.write.moveHome([vaultId, target.nodeId, good]));
    const moved = await env.vaults.read.getVault([vaultId]);
    expect(moved).toMatchObject({ home: target.nodeId, pricePerByteEpoch: target.price, sequence: 7n });
    // the old home was paid for the epoch it hosted; the rest runs at the new price from now
    expect(await env.vaults.read.creditOf([home.nodeId])).toBeGreaterThanOrEqual(home.price * QUOTA);
    const seconds = (moved.escrow * EPOCH) / (target.price * QUOTA);
    expect(moved.paidThrough).toBe(moved.settledAt + seconds);
  });

  test("closing pays the home to now and refunds the rest; a closed vault refuses everything", async () => {
    const home = env.nodes[0] as TestNode;
    const vaultId = await open(env, home, 2);
    const before = await env.as(env.owner).token.read.balanceOf([env.owner.account.address]);
    await h.networkHelpers.time.increase(Number(EPOCH / 2n));
    await h.wait(await env.vaults.write.close([vaultId]));
    const credit = await env.vaults.read.creditOf([home.nodeId]);
    const refund = (await env.as(env.owner).token.read.balanceOf([env.owner.account.address])) - before;
    expect(credit + refund).toBe(home.price * QUOTA * 2n);
    expect(refund).toBeGreaterThan(home.price * QUOTA);
    await expectRevert(env.vaults.write.extend([vaultId, 1]), "VaultRegistryClosed");
    await expectRevert(env.vaults.write.close([vaultId]), "VaultRegistryClosed");
    await expectRevert(env.vaults.write.commitSnapshot([vaultId, 1n, "0x01", []]), "VaultRegistryClosed");
  });

  test("a lapsed vault paid its home only what was paid for; an extension starts again from now", async () => {
    const home = env.nodes[0] as TestNode;
    const vaultId = await open(env, home, 1);
    await h.networkHelpers.time.increase(Number(EPOCH * 3n));
    await h.wait(await env.vaults.write.settle([vaultId]));
    expect(await env.vaults.read.creditOf([home.nodeId])).toBe(home.price * QUOTA);
    expect((await env.vaults.read.getVault([vaultId])).escrow).toBe(0n);
    await h.wait(await env.vaults.write.extend([vaultId, 1]));
    const extended = await env.vaults.read.getVault([vaultId]);
    const now = (await h.publicClient.getBlock()).timestamp;
    expect(extended.settledAt).toBe(now);
    expect(extended.paidThrough).toBe(now + EPOCH);
    await expectRevert(env.vaults.write.openVault([home.nodeId, 0n, 1]), "VaultRegistryInvalidTerms");
    await expectRevert(env.vaults.write.openVault([99, QUOTA, 1]), "VaultRegistryNodeInactive");
  });
});
