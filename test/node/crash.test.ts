import { type ChildProcess, spawn } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { serializeDeployment } from "#protocol";
import { prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
import { serveProvider } from "../../devnet/serve-provider.ts";
import {
  connectStrata,
  randomBytes,
  type StrataHarness,
  signerKey,
  type TestNode,
} from "../../devnet/strata-fixture.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { nodeConfigDefaults } from "../../node/config.ts";
import { blockOnDisk, leafCids, openUpload } from "../helpers/open-upload.ts";

const root = join(import.meta.dirname, "..", "..");
const h: StrataHarness = await connectStrata();
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: TestNode[];
let rpc: Awaited<ReturnType<typeof serveProvider>>;
let dir: Awaited<ReturnType<typeof tempDir>>;
let configFile: string;
let writeConfig: (gcPeriodMs: number) => Promise<void>;
const port = 19_400 + Math.floor(Math.random() * 500);
const url = `http://127.0.0.1:${port}`;
let child: ChildProcess | undefined;

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 1);
  rpc = await serveProvider(h.connection.provider);
  dir = await tempDir("crash");
  const deploymentFile = join(dir.path, "deployment.json");
  await writeFile(deploymentFile, serializeDeployment(env.deployment));
  configFile = join(dir.path, "node.json");
  writeConfig = (gcPeriodMs) =>
    writeFile(
      configFile,
      JSON.stringify({
        ...nodeConfigDefaults,
        rpcUrl: rpc.url,
        deploymentFile,
        nodeId: nodes[0]!.nodeId,
        signerKey: signerKey(0),
        dataDir: join(dir.path, "data"),
        http: { host: "127.0.0.1", port },
        storage: { ...nodeConfigDefaults.storage, gcPeriodMs },
        prover: { enabled: false, pollMs: 500, watchdog: false },
        logLevel: process.env.STRATA_TEST_LOG ?? "warn",
      }),
    );
  await writeConfig(1000);
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await rpc?.close();
  await dir?.cleanup();
});

/** Starts the node as its own process and waits until it answers. */
async function startProcess(): Promise<ChildProcess> {
  const process_ = spawn(process.execPath, [join(root, "node", "server.ts"), configFile], {
    cwd: root,
    stdio: ["ignore", process.env.STRATA_TEST_LOG ? "inherit" : "ignore", "inherit"],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (process_.exitCode !== null) throw new Error(`node exited with ${process_.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return process_;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("node did not start");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function kill9(process_: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => process_.once("exit", resolve));
  process_.kill("SIGKILL");
  await exited;
}

async function blockFiles(): Promise<number> {
  const blocks = join(dir.path, "data", "blocks");
  let count = 0;
  for (const shard of await readdir(blocks, { withFileTypes: true }).catch(() => []))
    if (shard.isDirectory())
      count += (await readdir(join(blocks, shard.name))).filter((f) => f.endsWith(".data")).length;
  return count;
}

describe("kill -9", () => {
  test("during an upload: after a restart nothing of it is visible, and the upload succeeds again", async () => {
    const blob = await prepareBlob(randomBytes(24 * 1024 * 1024, 50));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), nodes, blob);
    child = await startProcess();
    const running = child;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= blob.size / 2) {
          // half the blob is sent; once the node has written some of it to disk, it dies
          const deadline = Date.now() + 15_000;
          while ((await blockFiles()) < 3 && Date.now() < deadline)
            await new Promise((resolve) => setTimeout(resolve, 20));
          await kill9(running);
          controller.error(new Error("killed"));
          return;
        }
        controller.enqueue(blob.data.subarray(sent, sent + 1024 * 1024));
        sent += 1024 * 1024;
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    await expect(putToNode(url, blobId, body)).rejects.toThrow();
    expect(await blockFiles()).toBeGreaterThanOrEqual(3);

    child = await startProcess();
    expect((await fetch(`${url}/file/${blob.cid}`)).status).toBe(404);
    const stats = (await (await fetch(`${url}/stats`)).json()) as {
      storage: { heldBytes: number; pinnedBlobs: number };
    };
    expect(stats.storage).toMatchObject({ heldBytes: 0, pinnedBlobs: 0 });
    // the half-written blocks are garbage: the collector removes them
    const deadline = Date.now() + 20_000;
    while ((await blockFiles()) > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await blockFiles()).toBe(0);

    const { status } = await putToNode(url, blobId, blob.data);
    expect(status).toBe(200);
  });

  test("right after an acknowledged upload: the blob survives the crash", async () => {
    const blob = await prepareBlob(randomBytes(5 * 1024 * 1024 + 3, 51));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), nodes, blob);
    if (child?.exitCode !== null) child = await startProcess();
    expect((await putToNode(url, blobId, blob.data)).status).toBe(200);
    await kill9(child);
    child = await startProcess();
    const response = await fetch(`${url}/file/${blob.cid}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(blob.data))).toBe(true);
  });

  test("while a body streams in: after a restart none of its blocks is served or kept", async () => {
    // the periodic collection is an hour away: only the pass at start can remove the blocks
    await writeConfig(60 * 60 * 1000);
    if (child && child.exitCode === null) await kill9(child);
    child = await startProcess();
    const blob = await prepareBlob(randomBytes(16 * 1024 * 1024 + 9, 53));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), nodes, blob);
    const dataDir = join(dir.path, "data");
    const upload = openUpload(url, blobId, blob.size);
    const sent = 10 * 1024 * 1024;
    for (let offset = 0; offset < sent; offset += 1024 * 1024)
      await upload.write(blob.data.subarray(offset, offset + 1024 * 1024));
    // the importer writes leaves 8 at a time: once the first 8 are on disk, the node dies
    const leaves = (await leafCids(blob.data, sent)).slice(0, 8);
    const deadline = Date.now() + 15_000;
    while (!(await Promise.all(leaves.map((leaf) => blockOnDisk(dataDir, leaf)))).every(Boolean)) {
      expect(Date.now(), "the leaves never reached the disk").toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await kill9(child);
    upload.destroy();

    child = await startProcess();
    for (const leaf of leaves) {
      expect((await fetch(`${url}/ipfs/${leaf}?format=raw`)).status, leaf.toString()).toBe(404);
      expect(await blockOnDisk(dataDir, leaf), leaf.toString()).toBe(false);
    }
    expect((await fetch(`${url}/file/${blob.cid}`)).status).toBe(404);
    await writeConfig(1000);
  });
});
