import { getContract, keccak256, toHex } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import { restoredTypedData, vaultRegistryAbi } from "#protocol";
import { createIndexerClient } from "../../api/indexer/index.ts";
import { serveProvider } from "../../devnet/serve-provider.ts";
import { connectStrata, type TestNode, TOKEN } from "../../devnet/strata-fixture.ts";
import { startTestIndexer, waitIndexed } from "../helpers/indexer-harness.ts";

// The VaultRegistry's mirror: vaults, their snapshots and their homes' moves, over HTTP, and a
// snapshot in a reorged block gone again.
const h = await connectStrata();
let rpc: Awaited<ReturnType<typeof serveProvider>>;
beforeAll(async () => {
  rpc = await serveProvider(h.connection.provider);
});
afterAll(async () => {
  await rpc.close();
});

test("GET /vaults, /vaults/:id and /vaults/:id/snapshots follow opens, snapshots, moves and a reorg", async () => {
  const { deployment, as } = await h.deploy();
  const [home, target] = (await h.registerNodes(deployment, 2)) as [TestNode, TestNode];
  const owner = h.wallet(8);
  const vaults = getContract({
    address: deployment.contracts.vaults,
    abi: vaultRegistryAbi,
    client: { public: h.publicClient, wallet: owner },
  });
  await h.wait(await as(owner).token.write.faucet([1000n * TOKEN]));
  await h.wait(await as(owner).token.write.approve([deployment.contracts.vaults, 1000n * TOKEN]));
  const live = await startTestIndexer(rpc.url, deployment);
  try {
    await h.wait(await vaults.write.openVault([home.nodeId, 4096n, 2]));
    await h.wait(await vaults.write.commitSnapshot([1n, 1n, toHex("manifest-1"), []]));
    const signature = await target.signer.signTypedData(
      restoredTypedData(await h.publicClient.getChainId(), deployment.contracts.vaults, {
        vaultId: 1n,
        sequence: 1n,
        manifestHash: keccak256(toHex("manifest-1")),
        nodeId: target.nodeId,
      }),
    );
    await h.wait(await vaults.write.moveHome([1n, target.nodeId, signature]));
    await waitIndexed(h, live.indexer);
    const client = createIndexerClient({ baseUrl: live.indexer.url });
    const listed = await client.vaults.vaults({ owner: owner.account.address });
    expect(listed.vaults.map((v) => [v.vaultId, v.home, v.sequence])).toEqual([[1, target.nodeId, 1]]);
    expect((await client.vaults.vaults({ home: home.nodeId })).vaults).toEqual([]);
    const detail = await client.vaults.vault(1);
    expect(detail).toMatchObject({
      quota: 4096,
      manifest: toHex("manifest-1"),
      closed: false,
      pricePerByteEpoch: String(target.price),
    });
    expect(detail.moves.map((m) => [m.from, m.to, m.sequence])).toEqual([[home.nodeId, target.nodeId, 1]]);
    const chain = await vaults.read.getVault([1n]);
    expect(BigInt(detail.escrow)).toBe(chain.escrow);

    // a second snapshot, then a reorg takes it away
    const fork = await h.networkHelpers.takeSnapshot();
    await h.wait(await vaults.write.commitSnapshot([1n, 2n, toHex("manifest-2"), []]));
    await waitIndexed(h, live.indexer);
    expect((await client.vaults.snapshots(1)).snapshots.map((s) => s.sequence)).toEqual([2, 1]);
    await fork.restore();
    await h.networkHelpers.mine(3);
    await waitIndexed(h, live.indexer);
    expect((await client.vaults.snapshots(1)).snapshots.map((s) => s.sequence)).toEqual([1]);
    expect((await client.vaults.vault(1)).sequence).toBe(1);

    expect((await fetch(`${live.indexer.url}/vaults/99`)).status).toBe(404);
    expect((await fetch(`${live.indexer.url}/vaults/zero`)).status).toBe(400);
  } finally {
    await live.stop();
  }
});
