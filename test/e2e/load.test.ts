// The devnet as shipped, under load, in real processes on loopback: 8 dApps uploading at once
// (64 KiB to 8 MiB, three replicas, several sharing one account) while 16 readers read back what
// is certified, through the indexer and straight from the holders.
import { join } from "node:path";
import { parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeRegistryAbi, proofSystemAbi } from "#protocol";
import { checkEveryHolder, type LoadReport, runLoad } from "../../devnet/run-load.ts";
import { type Devnet, freePort, startDevnet } from "../../devnet/start-devnet.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { until } from "../helpers/wait-until.ts";

const ROOT = join(import.meta.dirname, "..", "..");
let net: Devnet;
let dir: Awaited<ReturnType<typeof tempDir>>;
let report: LoadReport;

beforeAll(async () => {
  dir = await tempDir("load");
  net = await startDevnet({
    root: ROOT,
    dataDir: join(dir.path, "devnet"),
    chainPort: await freePort(),
    nodes: 4,
    nodePort: 0,
    indexerPort: 0,
    logLevel: "warn",
  });
  report = await runLoad(net, { uploaders: 8, uploadsEach: 3, accounts: 3, readers: 16 });
}, 600_000);

afterAll(async () => {
  await net?.stop();
  if (process.env.STRATA_KEEP_TEST_DIRS === "1") console.log(`devnet kept in ${dir?.path}`);
  else await dir?.cleanup();
});

const proofs = (functionName: "currentPeriod") =>
  net.publicClient.readContract({
    address: net.deployment.contracts.proofSystem,
    abi: proofSystemAbi,
    functionName,
  });

describe("the devnet under load", () => {
  test("every upload is certified, several from one account at once", () => {
    expect(report.failures).toEqual([]);
    expect(report.blobs).toHaveLength(24);
  });

  test("every read of a certified blob, through the indexer or from a holder, gives its bytes", () => {
    expect(report.reads.failures).toEqual([]);
    expect(report.reads.indexer).toBeGreaterThan(0);
    expect(report.reads.direct).toBeGreaterThan(0);
  });

  test("the chain's clock keeps to the wall clock", () => {
    expect(report.chainSeconds).toBeLessThanOrEqual(report.wallSeconds * 1.05 + 2);
    expect(Math.abs(report.chainLeadSeconds)).toBeLessThan(10);
  });

  test("afterwards every holder serves identical bytes of every blob", async () => {
    expect(await checkEveryHolder(report.blobs)).toEqual([]);
  });

  test("no healthy node missed a proof or was slashed, and each proves the next period", async () => {
    // the next period, whose proof sets hold every blob of the run
    const { genesis, periodSeconds } = net.deployment.params;
    const now = Number((await net.publicClient.getBlock()).timestamp);
    const next = now - ((now - genesis) % periodSeconds) + periodSeconds;
    await net.publicClient.request({ method: "evm_increaseTime", params: [next - now + 1] } as never);
    await net.publicClient.request({ method: "evm_mine", params: [] } as never);
    const period = await proofs("currentPeriod");
    // the nodes that took uploads (the SDK picks the cheapest healthy ones)
    const holders = new Set(report.blobs.flatMap((blob) => blob.nodes.map((node) => node.nodeId)));
    expect(holders.size).toBeGreaterThanOrEqual(3);
    for (const node of net.nodes.filter((n) => holders.has(n.nodeId))) {
      await until(
        `node ${node.nodeId} to prove period ${period}`,
        () =>
          net.publicClient.readContract({
            address: net.deployment.contracts.proofSystem,
            abi: proofSystemAbi,
            functionName: "isProven",
            args: [node.nodeId, period],
          }),
        60_000,
      );
    }
    const logs = await net.publicClient.getLogs({ fromBlock: report.fromBlock });
    expect(parseEventLogs({ abi: proofSystemAbi, logs, eventName: "ProofMissed" })).toEqual([]);
    expect(parseEventLogs({ abi: nodeRegistryAbi, logs, eventName: "NodeSlashed" })).toEqual([]);
  });
});
