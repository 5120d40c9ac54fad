import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { VaultJobReply, VaultNodeClient } from "../../api/vaults/index.ts";
import { answers, type Service, spawnService } from "../../devnet/spawn-service.ts";
import { freePort } from "../../devnet/start-devnet.ts";
import { nodeConfig } from "../../devnet/start-nodes.ts";
import { nodeParams, randomBytes } from "../../devnet/strata-fixture.ts";
import type { StrataClient, VaultClient } from "../../sdk/index.ts";
import { until } from "../helpers/wait-until.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "../sdk/sdk-network.ts";
import { moveHome } from "./move-home.ts";

// kill -9 in every state of every vault job, then a restart: each job resumes and ends, or fails
// with a code; none hangs. The node under test runs as its own process (node/server.ts); the
// others, the chain and the indexer run in this one.
const root = join(import.meta.dirname, "../..");
const MiB = 1 << 20;
let net: SdkNetwork;
let owner: StrataClient;
let node: Service | undefined;
let configFile: string;
let url: string;
const PROC = 2;

async function startProcess(pauseAt?: string) {
  const base = JSON.parse(await readFile(configFile, "utf8"));
  const config = {
    ...base,
    fault: { mode: "none", dropFraction: 0, ...(pauseAt ? { pauseVaultJobsAt: pauseAt } : {}) },
  };
  const file = `${configFile}.run.json`;
  await writeFile(file, JSON.stringify(config));
  node = await spawnService({
    name: "vault node",
    script: join(root, "node", "server.ts"),
    args: [file],
    cwd: root,
    url,
    logFile: join(net.started.dir, "vault-node.log"),
    ready: () => answers(`${url}/health`),
  });
}

const nodeId = (index: number) => net.nodes[index]?.nodeId as number;

beforeAll(async () => {
  net = await startSdkNetwork({ registered: 3, running: 2 });
  owner = net.client(net.h.wallet(8));
  await owner.faucet(FUNDS);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const config = nodeConfig({
    rpcUrl: net.started.rpcUrl,
    deploymentFile: net.started.deploymentFile,
    node: net.nodes[PROC]!,
    index: PROC,
    dataDir: join(net.started.dir, "process-node"),
    overrides: { http: { host: "127.0.0.1", port, uploadIdleMs: 30_000 }, logLevel: "info" },
  });
  configFile = join(net.started.dir, "process-node.json");
  await writeFile(configFile, JSON.stringify(config));
  const proc = net.nodes[PROC]!;
  await net.h.wait(
    await proc.as.registry.write.update([
      proc.nodeId,
      nodeParams(proc.signer.address, PROC, { pricePerByteEpoch: proc.price, endpoint: url }),
    ]),
  );
  await startProcess();
}, 180_000);
afterAll(async () => {
  await node?.stop();
  await net?.stop();
});

/** A job as the node reports it, once it has ended (polled: the process restarts under it). */
async function ended(client: VaultNodeClient, id: string, onState?: (job: VaultJobReply) => Promise<void>) {
  return until(
    `job ${id} to end`,
    async () => {
      const job = await client.job(id).catch(() => undefined);
      if (job) await onState?.(job);
      return job && ["done", "failed", "cancelled"].includes(job.state) ? job : undefined;
    },
    90_000,
  );
}

/** Kills the process while the job it holds is in `state`, starts it again without the pause. */
async function crashIn(client: VaultNodeClient, id: string, state: string) {
  await until(`job ${id} to reach ${state}`, async () => (await client.job(id)).state === state, 60_000);
  await node?.kill();
  await startProcess();
}

async function freshVault(): Promise<VaultClient> {
  const vault = await owner.vaults.open({ home: nodeId(PROC), quota: 32 * MiB, epochs: 4 });
  await vault.put("a.bin", randomBytes(MiB + 5, 1));
  await vault.db("docs").insert([{ _id: "one", n: 1 }]);
  return vault;
}

describe("kill -9 in every job state, then a restart", () => {
  for (const state of ["building", "packing", "uploading", "certifying", "committing"]) {
    test(`a snapshot killed while ${state} resumes and commits`, async () => {
      const vault = await freshVault();
      await node?.stop();
      await startProcess(state);
      const client = await vault.node();
      const job = await client.snapshot();
      await crashIn(client, job.id, state);
      const end = await ended(client, job.id);
      expect(end.state).toBe("done");
      const info = await vault.info();
      expect(info.sequence).toBe((end.result as { sequence: number }).sequence);
    }, 120_000);
  }

  for (const state of ["fetching", "applying", "signing"]) {
    test(`a restore killed while ${state} resumes and signs`, async () => {
      // a vault homed on an in-process node, restored on the process
      const vault = await owner.vaults.open({ home: nodeId(0), quota: 32 * MiB, epochs: 4 });
      await vault.put("b.bin", randomBytes(MiB + 7, 2));
      await vault.snapshot();
      await net.indexed();
      await node?.stop();
      await startProcess(state);
      let jobId: string | undefined;
      const restoring = vault
        .restore(nodeId(PROC), {
          onProgress: (job) => {
            jobId = job.id;
          },
        })
        .catch((error: unknown) => error);
      const client = await vault.node(nodeId(PROC));
      const id = await until("the restore job", async () => jobId);
      await crashIn(client, id, state);
      const end = await ended(client, id);
      expect(end.state).toBe("done");
      // the SDK followed the job across the crash and moved the home with the node's signature
      expect(await restoring).toMatchObject({
        to: nodeId(PROC),
        sequence: (end.result as { sequence: number }).sequence,
      });
      expect((await vault.info()).home).toBe(nodeId(PROC));
      expect((await vault.get("b.bin")).length).toBe(MiB + 7);
    }, 120_000);
  }

  for (const state of ["freezing", "restoring", "awaiting-move", "releasing"]) {
    test(`a migration killed while ${state} resumes and moves the vault`, async () => {
      const vault = await freshVault();
      await node?.stop();
      await startProcess(state);
      const client = await vault.node();
      const job = await client.migrate(nodeId(0));
      let moved = false;
      const move = async (current: VaultJobReply) => {
        if (current.state !== "awaiting-move" || moved || !current.result?.signature) return;
        moved = true;
        await moveHome(net, vault.vaultId, nodeId(0), current.result.signature as Hex);
      };
      if (state === "releasing") {
        await until(
          "awaiting the move",
          async () => {
            const current = await client.job(job.id);
            await move(current);
            return moved;
          },
          60_000,
        );
      }
      await crashIn(client, job.id, state);
      const end = await ended(client, job.id, move);
      expect(end.state).toBe("done");
      expect((await vault.info()).home).toBe(nodeId(0));
      expect((await vault.get("a.bin")).length).toBe(MiB + 5);
      expect(await vault.db("docs").count()).toBe(1);
    }, 120_000);
  }
});
