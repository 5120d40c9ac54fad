import { afterAll, beforeAll, expect, test } from "vitest";
import { marketActions } from "../../devnet/market-actions.ts";
import { serveProvider } from "../../devnet/serve-provider.ts";
import { connectStrata, nodeParams, type TestNode } from "../../devnet/strata-fixture.ts";
import { DeepReorgError } from "../../indexer/errors.ts";
import { chainTables, freshReplay, startTestIndexer, waitIndexed } from "../helpers/indexer-harness.ts";

const h = await connectStrata();
let rpc: Awaited<ReturnType<typeof serveProvider>>;
beforeAll(async () => {
  rpc = await serveProvider(h.connection.provider);
});
afterAll(async () => {
  await rpc.close();
});

/** Changes a node's endpoint (a NodeUpdated event). */
async function moveNode(node: TestNode, endpoint: string, index: number) {
  await h.wait(
    await node.as.registry.write.update([node.nodeId, nodeParams(node.signer.address, index, { endpoint })]),
  );
}

test("a reorg replacing the last blocks, shorter then longer: the mirror follows the new chain exactly", async () => {
  const { deployment } = await h.deploy();
  const nodes = await h.registerNodes(deployment, 2);
  const m = marketActions(h, deployment);
  const live = await startTestIndexer(rpc.url, deployment);
  try {
    await waitIndexed(h, live.indexer);
    const fork = await h.networkHelpers.takeSnapshot();

    // branch A: a blob stored and a node moved, then indexed
    const lost = await m.store({ owner: h.wallet(8), nodes, name: "branch a", tags: ["lost"] });
    await moveNode(nodes[0] as TestNode, "http://a.example:9100", 0);
    await h.networkHelpers.mine(3);
    await waitIndexed(h, live.indexer);
    expect(
      live.indexer.db.prepare("SELECT count(*) AS n FROM blobs WHERE blob_id = ?").get(lost.blobId),
    ).toEqual({
      n: 1,
    });

    // branch B, from the same parent: shorter than A at first
    await fork.restore();
    const kept = await m.store({
      owner: h.wallet(9),
      nodes: [nodes[1] as TestNode],
      name: "branch b",
      tags: ["kept"],
    });
    await moveNode(nodes[0] as TestNode, "http://b.example:9100", 0);
    await waitIndexed(h, live.indexer);
    expect(live.indexer.metrics.reorgs).toBeGreaterThanOrEqual(1);
    const afterShort = chainTables(live.indexer.db);
    expect(afterShort).toEqual(await freshReplay(h, rpc.url, deployment));
    expect((afterShort.blobs as { blob_id: string }[]).map((b) => b.blob_id)).toEqual([kept.blobId]);

    // and then longer than A ever was
    await h.networkHelpers.mine(10);
    await m.store({ owner: h.wallet(9), nodes, name: "branch b later" });
    await waitIndexed(h, live.indexer);
    const tables = chainTables(live.indexer.db);
    expect(tables).toEqual(await freshReplay(h, rpc.url, deployment));
    const endpoint = live.indexer.db
      .prepare("SELECT endpoint FROM nodes WHERE node_id = ?")
      .get(nodes[0]?.nodeId);
    expect(endpoint).toEqual({ endpoint: "http://b.example:9100" });
    expect(tables.blob_search.map((row) => (row as { name: string }).name).sort()).toEqual([
      "branch b",
      "branch b later",
    ]);
  } finally {
    await live.stop();
  }
});

test("a reorg deeper than the kept window stops the indexer with a clear error, and it serves no data", async () => {
  const { deployment } = await h.deploy();
  const nodes = await h.registerNodes(deployment, 1);
  const live = await startTestIndexer(rpc.url, deployment, { reorgWindow: 3 });
  try {
    await waitIndexed(h, live.indexer);
    const fork = await h.networkHelpers.takeSnapshot();
    for (let i = 0; i < 6; i += 1) await moveNode(nodes[0] as TestNode, `http://a${i}.example:9100`, 0);
    await waitIndexed(h, live.indexer);
    await fork.restore();
    for (let i = 0; i < 8; i += 1) await moveNode(nodes[0] as TestNode, `http://b${i}.example:9100`, 0);

    await expect(live.indexer.syncing).rejects.toBeInstanceOf(DeepReorgError);
    const health = await fetch(`${live.indexer.url}/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; error: { code: string; message: string } };
    expect(body.status).toBe("stopped");
    expect(body.error.code).toBe("INDEXER_ERR_DEEP_REORG");
    expect(body.error.message).toContain("deeper than the 3 blocks");
    const nodesResponse = await fetch(`${live.indexer.url}/nodes`);
    expect(nodesResponse.status).toBe(503);
    expect(((await nodesResponse.json()) as { error: { code: string } }).error.code).toBe(
      "INDEXER_ERR_DEEP_REORG",
    );
  } finally {
    await live.stop();
  }
});

test("with confirmations, the newest blocks wait until enough are built on them", async () => {
  const { deployment } = await h.deploy();
  const nodes = await h.registerNodes(deployment, 1);
  const live = await startTestIndexer(rpc.url, deployment, { confirmations: 3 });
  try {
    await waitIndexed(h, live.indexer, 3);
    await moveNode(nodes[0] as TestNode, "http://late.example:9100", 0);
    const head = Number(await h.publicClient.getBlockNumber());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.indexer.metrics.indexed).toBe(head - 3);
    const endpoint = () =>
      live.indexer.db.prepare("SELECT endpoint FROM nodes WHERE node_id = ?").get(nodes[0]?.nodeId);
    expect(endpoint()).not.toEqual({ endpoint: "http://late.example:9100" });
    await h.networkHelpers.mine(3);
    await waitIndexed(h, live.indexer, 3);
    expect(endpoint()).toEqual({ endpoint: "http://late.example:9100" });
  } finally {
    await live.stop();
  }
});
