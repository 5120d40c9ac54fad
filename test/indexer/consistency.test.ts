import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  BlobStatus,
  nameRegistryAbi,
  nodeRegistryAbi,
  proofSystemAbi,
  storageMarketAbi,
  strataTokenAbi,
  vaultRegistryAbi,
} from "#protocol";
import { marketActions } from "../../devnet/market-actions.ts";
import { serveProvider } from "../../devnet/serve-provider.ts";
import { connectStrata, type TestNode, testParams } from "../../devnet/strata-fixture.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { chainTables, freshReplay, startTestIndexer, waitIndexed } from "../helpers/indexer-harness.ts";
import { runWorkload } from "../helpers/random-workload.ts";

const h = await connectStrata();
let rpc: Awaited<ReturnType<typeof serveProvider>>;
beforeAll(async () => {
  rpc = await serveProvider(h.connection.provider);
});
afterAll(async () => {
  await rpc.close();
});

const STATUS: Record<number, string> = {
  [BlobStatus.registered]: "registered",
  [BlobStatus.certified]: "certified",
  [BlobStatus.deleted]: "deleted",
  [BlobStatus.reclaimed]: "reclaimed",
  [BlobStatus.settled]: "settled",
};

/** Events no workload here emits: admin and upgrade paths of OpenZeppelin's contracts. */
const NOT_EXERCISED = new Set(["EIP712DomainChanged", "RoleAdminChanged", "RoleRevoked"]);

/**
 * A random workload over every contract, followed live by an indexer: its mirror equals a fresh
 * replay of eth_getLogs and what the contracts say now. Returns the names of the events it saw.
 */
async function mirrorAfterWorkload(seed: number): Promise<Set<string>> {
  const { deployment, as } = await h.deploy();
  const all = await h.registerNodes(deployment, 6);
  const nodes = all.slice(0, 5);
  const spare = all[5] as TestNode;
  const live = await startTestIndexer(rpc.url, deployment, { logRange: { initial: 3, max: 40 } });
  try {
    const blobs = await runWorkload({ h, deployment, nodes, seed, steps: 60, everything: { spare } });
    await waitIndexed(h, live.indexer);
    const followed = chainTables(live.indexer.db);
    const replayed = await freshReplay(h, rpc.url, deployment);
    for (const table of Object.keys(replayed)) {
      expect(followed[table], table).toEqual(replayed[table]);
    }
    const seen = new Set((followed.events as { name: string }[]).map((event) => event.name));
    for (const table of [
      "blobs",
      "nodes",
      "certificates",
      "proofs",
      "missed_proofs",
      "slashes",
      "payments",
    ]) {
      expect(followed[table]?.length, table).toBeGreaterThan(0);
    }

    // and it agrees with what the contracts say now
    const admin = as(h.wallet(0));
    for (const blob of blobs) {
      const stored = await admin.market.read.getBlob([blob.blobId]);
      const row = live.indexer.db
        .prepare("SELECT status, end_period, attested, epochs, escrow, fee FROM blobs WHERE blob_id = ?")
        .get(blob.blobId) as {
        status: string;
        end_period: number | null;
        attested: number;
        epochs: number;
        escrow: string;
        fee: string;
      };
      expect(row.status, blob.blobId).toBe(STATUS[stored.status]);
      expect(row.epochs, blob.blobId).toBe(stored.epochs);
      if (stored.status === BlobStatus.certified) expect(row.end_period).toBe(stored.endPeriod);
      // the fee is held (and equal) while the blob is live; nothing has left the escrow of one
      // still registered
      if (stored.status === BlobStatus.registered || stored.status === BlobStatus.certified)
        expect(BigInt(row.fee), blob.blobId).toBe(stored.fee);
      if (stored.status === BlobStatus.registered)
        expect(BigInt(row.escrow), blob.blobId).toBe(stored.escrow);
    }
    for (const node of all) {
      const info = await admin.registry.read.getNode([node.nodeId]);
      const row = live.indexer.db
        .prepare("SELECT stake, price_per_byte_epoch, endpoint, unbonding_at FROM nodes WHERE node_id = ?")
        .get(node.nodeId) as {
        stake: string;
        price_per_byte_epoch: string;
        endpoint: string;
        unbonding_at: number | null;
      };
      expect(BigInt(row.stake), `node ${node.nodeId} stake`).toBe(info.stake);
      expect(BigInt(row.price_per_byte_epoch)).toBe(info.pricePerByteEpoch);
      expect(row.endpoint).toBe(info.endpoint);
      expect(row.unbonding_at ?? 0).toBe(Number(info.unbondingAt));
    }
    const vaults = live.indexer.db.prepare("SELECT * FROM vaults").all() as {
      vault_id: number;
      home: number;
      escrow: string;
      price: string;
      paid_through: number;
      sequence: number;
      closed: number;
    }[];
    for (const row of vaults) {
      const vault = await h.publicClient.readContract({
        address: deployment.contracts.vaults,
        abi: vaultRegistryAbi,
        functionName: "getVault",
        args: [BigInt(row.vault_id)],
      });
      expect(
        {
          home: row.home,
          escrow: BigInt(row.escrow),
          price: BigInt(row.price),
          paidThrough: row.paid_through,
        },
        `vault ${row.vault_id}`,
      ).toEqual({
        home: vault.home,
        escrow: vault.escrow,
        price: vault.pricePerByteEpoch,
        paidThrough: Number(vault.paidThrough),
      });
      expect({ sequence: row.sequence, closed: row.closed === 1 }).toEqual({
        sequence: Number(vault.sequence),
        closed: vault.closed,
      });
    }
    return seen;
  } finally {
    await live.stop();
  }
}

/**
 * A cold blob's dropped holder taken over by another node: the mirror follows the reassignment
 * and counts live holders. Returns the names of the events it saw.
 */
async function mirrorAfterTakeover(): Promise<Set<string>> {
  const { deployment, as } = await h.deploy();
  const nodes = await h.registerNodes(deployment, 3);
  const [lost, partner, taker] = nodes as [TestNode, TestNode, TestNode];
  const live = await startTestIndexer(rpc.url, deployment, { logRange: { initial: 3, max: 40 } });
  try {
    const m = marketActions(h, deployment);
    const blob = await m.store({
      owner: h.wallet(8),
      nodes: [lost, partner],
      tier: "cold",
      recovery: 1,
      shardSize: 1024n,
      epochs: 2,
    });
    await m.nextPeriod();
    const reporter = as(h.wallet(9)).proofs;
    for (let miss = 0; miss < testParams.missesToDrop; miss += 1) {
      await m.revealSeed();
      await m.prove(partner);
      const period = await m.currentPeriod();
      await m.nextPeriod();
      await h.wait(await reporter.write.reportMissedProof([lost.nodeId, period]));
    }
    const holders = async () => {
      await waitIndexed(h, live.indexer);
      const reply = await fetch(`${live.indexer.url}/blobs/${blob.blobId}`);
      const { liveHolders, targetHolders } = (await reply.json()) as Record<string, number>;
      return { liveHolders, targetHolders };
    };
    expect(await holders()).toEqual({ liveHolders: 1, targetHolders: 2 });
    await h.wait(await taker.as.market.write.reassignHolder([blob.blobId, 0, taker.nodeId]));
    expect(await holders()).toEqual({ liveHolders: 1, targetHolders: 2 });
    const moved = { ...blob, nodes: [taker, partner] };
    await m.enroll(moved, [0]);
    await m.certify(moved, h.wallet(8), await m.attestations(moved, [0]));
    expect(await holders()).toEqual({ liveHolders: 2, targetHolders: 2 });
    const followed = chainTables(live.indexer.db);
    const replayed = await freshReplay(h, rpc.url, deployment);
    for (const table of Object.keys(replayed)) expect(followed[table], table).toEqual(replayed[table]);
    const seen = new Set((followed.events as { name: string }[]).map((event) => event.name));
    const holder = live.indexer.db
      .prepare("SELECT node_id, enrolled, dropped FROM blob_holders WHERE blob_id = ? AND holder = 0")
      .get(blob.blobId);
    expect(holder).toEqual({ node_id: taker.nodeId, enrolled: 1, dropped: 0 });
    const row = live.indexer.db.prepare("SELECT attested FROM blobs WHERE blob_id = ?").get(blob.blobId) as {
      attested: number;
    };
    expect(row.attested).toBe(0b11);
    return seen;
  } finally {
    await live.stop();
  }
}

/**
 * Each scenario runs once per file, for whichever test asks for it first: every test below passes
 * or fails the same alone (`-t`) or in any order; the last one does not rely on the others having
 * run before it.
 */
const runs = new Map<string, Promise<Set<string>>>();
function once(key: string, scenario: () => Promise<Set<string>>): Promise<Set<string>> {
  let run = runs.get(key);
  if (!run) {
    run = scenario();
    runs.set(key, run);
  }
  return run;
}
const SEEDS = [8, 17];
const workload = (seed: number) => once(`workload ${seed}`, () => mirrorAfterWorkload(seed));
const takeover = () => once("takeover", mirrorAfterTakeover);

describe("the mirror after a random workload over every contract", () => {
  for (const seed of SEEDS) {
    test(`followed live, it equals a fresh replay of eth_getLogs, and the chain's own state (seed ${seed})`, async () => {
      expect((await workload(seed)).size).toBeGreaterThan(0);
    });
  }

  test("a cold blob's dropped holder taken over by another node: the mirror follows the reassignment and counts live holders", async () => {
    expect(await takeover()).toContain("HolderReassigned");
  });

  test("between them, the workloads emitted every event of every Strata contract", async () => {
    // one after another: the scenarios share the chain and move its clock
    const seen = new Set<string>();
    for (const scenario of [...SEEDS.map((seed) => () => workload(seed)), takeover]) {
      for (const name of await scenario()) seen.add(name);
    }
    const every = [
      strataTokenAbi,
      nodeRegistryAbi,
      storageMarketAbi,
      proofSystemAbi,
      nameRegistryAbi,
      vaultRegistryAbi,
    ].flatMap((abi) =>
      abi.filter((item) => item.type === "event").map((item) => (item as { name: string }).name),
    );
    const missing = [...new Set(every)].filter((name) => !seen.has(name) && !NOT_EXERCISED.has(name));
    expect(missing).toEqual([]);
  });
});

test("running over blocks already indexed changes nothing (unique on chain, transaction, log index)", async () => {
  const { deployment } = await h.deploy();
  await h.registerNodes(deployment, 2);
  const dir = await tempDir("idempotent");
  const database = join(dir.path, "index.db");
  try {
    const first = await startTestIndexer(rpc.url, deployment, {}, { database });
    await waitIndexed(h, first.indexer);
    const before = chainTables(first.indexer.db);
    expect(before.events?.length).toBeGreaterThan(10);
    // rewind the cursor to before the deployment, keeping every row, and index it all again
    const start = await h.publicClient.getBlock({ blockNumber: deployment.deploymentBlock - 1n });
    first.indexer.db
      .prepare("UPDATE cursor SET block_number = ?, block_hash = ?, block_timestamp = ?")
      .run(Number(start.number), start.hash, Number(start.timestamp));
    await first.stop();
    const again = await startTestIndexer(
      rpc.url,
      deployment,
      { logRange: { initial: 2, max: 4 } },
      { database },
    );
    try {
      await waitIndexed(h, again.indexer);
      // it read every event again from the rewound cursor, and added none
      expect(again.indexer.metrics.eventsRead).toBe(before.events?.length);
      expect(again.indexer.metrics.eventsIndexed).toBe(0);
      expect(chainTables(again.indexer.db)).toEqual(before);
    } finally {
      await again.stop();
    }
  } finally {
    await dir.cleanup();
  }
});
