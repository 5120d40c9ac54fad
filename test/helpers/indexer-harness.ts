import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Deployment, serializeDeployment } from "#protocol";
import type { StrataHarness } from "../../devnet/strata-fixture.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { type IndexerConfig, parseIndexerConfig, withDefaults } from "../../indexer/config.ts";
import type { Db } from "../../indexer/db/open-database.ts";
import { type Indexer, startIndexer } from "../../indexer/indexer.ts";
import { createLogger } from "../../service/logger.ts";

/** Writes the deployment file an indexer (or a node) reads. */
export async function writeDeployment(dir: string, deployment: Deployment): Promise<string> {
  const file = join(dir, "deployment.json");
  await writeFile(file, serializeDeployment(deployment));
  return file;
}

/** An indexer configuration for tests: loopback, a fast poll, no confirmations, no health rounds. */
export function testIndexerConfig(options: {
  rpcUrl: string;
  deploymentFile: string;
  database: string;
  overrides?: Record<string, unknown>;
}): IndexerConfig {
  return parseIndexerConfig(
    withDefaults({
      rpcUrl: options.rpcUrl,
      deploymentFile: options.deploymentFile,
      database: options.database,
      http: { host: "127.0.0.1", port: 0 },
      confirmations: 0,
      pollMs: 25,
      health: { intervalMs: 0, timeoutMs: 1000 },
      logLevel: process.env.STRATA_TEST_LOG ?? "silent",
      ...options.overrides,
    }),
  );
}

/**
 * An indexer in this process over the harness chain (served at `rpcUrl`), with a database of its
 * own (removed by `stop`) unless `database` names one (kept).
 */
export async function startTestIndexer(
  rpcUrl: string,
  deployment: Deployment,
  overrides: Record<string, unknown> = {},
  options: { database?: string } = {},
): Promise<{ indexer: Indexer; config: IndexerConfig; stop(): Promise<void> }> {
  const dir = await tempDir("indexer");
  const config = testIndexerConfig({
    rpcUrl,
    deploymentFile: await writeDeployment(dir.path, deployment),
    database: options.database ?? join(dir.path, "index.db"),
    overrides,
  });
  const indexer = await startIndexer(config, {
    logger: createLogger(config.logLevel, { name: "strata-indexer" }),
  });
  return {
    indexer,
    config,
    async stop() {
      await indexer.stop();
      await dir.cleanup();
    },
  };
}

/**
 * Waits until `indexer` has indexed the harness chain's head (minus its confirmations) and the
 * block under its cursor is the chain's (after a reorg, a higher cursor is not enough).
 */
export async function waitIndexed(h: StrataHarness, indexer: Indexer, confirmations = 0, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  const cursor = indexer.db.prepare("SELECT block_number, block_hash FROM cursor WHERE id = 1");
  for (;;) {
    const target = (await h.publicClient.getBlockNumber()) - BigInt(confirmations);
    const at = cursor.get() as { block_number: number; block_hash: string } | undefined;
    if (at && BigInt(at.block_number) >= target) {
      const block = await h.publicClient
        .getBlock({ blockNumber: BigInt(at.block_number) })
        .catch(() => undefined);
      if (block?.hash === at.block_hash) return;
    }
    if (Date.now() > deadline) {
      throw new Error(`indexer at block ${at?.block_number}, chain at ${target} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The tables mirrored from the chain, and their natural order (no row ids, no local data). */
export const CHAIN_TABLES: Record<string, string> = {
  events: "chain_id, tx_hash, log_index",
  nodes: "node_id",
  blobs: "blob_id",
  blob_holders: "blob_id, holder",
  blob_tags: "blob_id, tag",
  certificates: "chain_id, tx_hash, log_index",
  proofs: "chain_id, tx_hash, log_index",
  missed_proofs: "chain_id, tx_hash, log_index",
  slashes: "chain_id, tx_hash, log_index",
  payments: "chain_id, tx_hash, log_index",
  periods: "chain_id, tx_hash, log_index",
  names: "name_id",
  name_updates: "chain_id, tx_hash, log_index",
  vaults: "vault_id",
  vault_snapshots: "chain_id, tx_hash, log_index",
  vault_moves: "chain_id, tx_hash, log_index",
};

/** Every chain table's rows (without row ids), in natural order, and the search index. */
export function chainTables(db: Db): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(CHAIN_TABLES)) {
    out[table] = (
      db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Record<string, unknown>[]
    ).map(({ id: _id, ...row }) => row);
  }
  out.blob_search = db
    .prepare("SELECT blob_id, name, tags, mime_type FROM blob_search ORDER BY blob_id")
    .all();
  return out;
}

/** What a fresh indexer computes from eth_getLogs alone: a new database, backfilled to the head. */
export async function freshReplay(h: StrataHarness, rpcUrl: string, deployment: Deployment) {
  const fresh = await startTestIndexer(rpcUrl, deployment, { logRange: { initial: 7, max: 50 } });
  try {
    await waitIndexed(h, fresh.indexer);
    return chainTables(fresh.indexer.db);
  } finally {
    await fresh.stop();
  }
}
