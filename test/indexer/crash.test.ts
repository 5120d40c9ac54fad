import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { serveProvider } from "../../devnet/serve-provider.ts";
import { connectStrata, TOKEN } from "../../devnet/strata-fixture.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { chainTables, freshReplay, testIndexerConfig, writeDeployment } from "../helpers/indexer-harness.ts";

const h = await connectStrata();
const root = join(import.meta.dirname, "..", "..");
let rpc: Awaited<ReturnType<typeof serveProvider>>;
beforeAll(async () => {
  rpc = await serveProvider(h.connection.provider);
});
afterAll(async () => {
  await rpc.close();
});

function startProcess(configFile: string): ChildProcess {
  return spawn(process.execPath, [join(root, "indexer", "server.ts"), configFile], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** The cursor block in the database file (read while the indexer writes; WAL allows it). */
function cursorOf(file: string): number {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (
        (
          db.prepare("SELECT block_number FROM cursor WHERE id = 1").get() as
            | { block_number: number }
            | undefined
        )?.block_number ?? -1
      );
    } finally {
      db.close();
    }
  } catch {
    return -1; // not created yet
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test("kill -9 in the middle of a backfill, then a restart: no duplicate, no gap", async () => {
  const { deployment, as } = await h.deploy();
  await h.registerNodes(deployment, 3);
  // a few hundred blocks with events in each
  const dapp = as(h.wallet(8));
  for (let i = 0; i < 150; i += 1) await h.wait(await dapp.token.write.faucet([TOKEN + BigInt(i)]));
  const head = Number(await h.publicClient.getBlockNumber());
  const start = Number(deployment.deploymentBlock);

  const dir = await tempDir("indexer-crash");
  const database = join(dir.path, "index.db");
  const configFile = join(dir.path, "indexer.json");
  const config = testIndexerConfig({
    rpcUrl: rpc.url,
    deploymentFile: await writeDeployment(dir.path, deployment),
    database,
    overrides: { logRange: { initial: 1, max: 1 }, logLevel: "error" },
  });
  await writeFile(configFile, JSON.stringify(config));
  let child = startProcess(configFile);
  try {
    const halfway = start + Math.floor((head - start) / 3);
    await until(() => cursorOf(database) >= halfway, 60_000, "the backfill to get going");
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const killedAt = cursorOf(database);
    expect(killedAt).toBeGreaterThanOrEqual(halfway);
    expect(killedAt).toBeLessThan(head);

    child = startProcess(configFile);
    await until(() => cursorOf(database) >= head, 60_000, "the restarted indexer to catch up");
    child.kill("SIGTERM");
    expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(0);

    const db = new Database(database, { readonly: true });
    try {
      const tables = chainTables(db);
      const duplicates = db
        .prepare(
          "SELECT count(*) AS n FROM (SELECT tx_hash, log_index FROM events GROUP BY tx_hash, log_index HAVING count(*) > 1)",
        )
        .get() as { n: number };
      expect(duplicates.n).toBe(0);
      const replayed = await freshReplay(h, rpc.url, deployment);
      expect((tables.events as unknown[]).length).toBe((replayed.events as unknown[]).length);
      expect(tables).toEqual(replayed);
    } finally {
      db.close();
    }
  } finally {
    child.kill("SIGKILL");
    await dir.cleanup();
  }
});
