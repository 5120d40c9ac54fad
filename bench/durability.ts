// bench/durability: the devnet as shipped, under load and through a node's drop.
//   - load: 8 dApps uploading at once (3 uploads each, 64 KiB to 8 MiB, three replicas, three
//     accounts) while 16 readers read back: chain seconds per wall second (target <= 1.05), proofs
//     missed by healthy nodes (0), upload throughput, p50 and p99 latency.
//   - heal: a 64 MiB hot blob on three of four nodes; one holder stops proving until it is dropped
//     (periods moved on with evm_increaseTime, misses reported by the other nodes' watchdogs):
//     time from the drop to the new holder's attestation (BlobRestored), as a ratio to a plain
//     upload of the same blob to one node in the same run (target <= 2).
// The SDK's peak RSS for a 1 GiB upload to three nodes is bench/upload-rss.ts.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseEventLogs } from "viem";
import { proofSystemAbi, storageMarketAbi } from "#protocol";
import { checkEveryHolder, quantile, runLoad } from "../devnet/run-load.ts";
import { type Devnet, freePort, startDevnet } from "../devnet/start-devnet.ts";
import { tempDir } from "../devnet/temp-dir.ts";
import { type Figure, report } from "./report.ts";

const root = join(import.meta.dirname, "..");
const HEAL_BYTES = Number(process.env.STRATA_BENCH_HEAL_MIB ?? 64) << 20;

async function devnet(dir: string, fault?: { node: number; mode: "stop-proving" }): Promise<Devnet> {
  return startDevnet({
    root,
    dataDir: dir,
    chainPort: await freePort(),
    nodes: 4,
    nodePort: 0,
    indexerPort: 0,
    logLevel: "warn",
    ...(fault ? { fault } : {}),
  });
}

async function load(dir: string): Promise<Figure[]> {
  const net = await devnet(join(dir, "load"));
  try {
    const run = await runLoad(net, { uploaders: 8, uploadsEach: 3, accounts: 3, readers: 16 });
    const problems = [...run.failures, ...run.reads.failures, ...(await checkEveryHolder(run.blobs))];
    if (problems.length > 0) console.log(`  problems:\n    ${problems.join("\n    ")}`);
    console.log(
      `  load: ${run.blobs.length} uploads (${(run.bytes / 2 ** 20).toFixed(1)} MiB) in ${run.wallSeconds.toFixed(1)} s, ` +
        `${run.reads.indexer + run.reads.direct} reads, chain ${run.chainSeconds} s, clock lead ${run.chainLeadSeconds.toFixed(1)} s`,
    );
    return [
      {
        name: "chain seconds per wall second under load",
        value: run.chainSeconds,
        unit: "s",
        baseline: run.wallSeconds,
        baselineName: "wall",
        max: 1.05,
      },
      {
        name: "proofs missed by healthy nodes",
        value: run.missedProofs,
        unit: "",
        baseline: 1,
        baselineName: "(count)",
        max: 0,
      },
      {
        name: "upload throughput, 8 uploaders",
        value: run.bytes / 2 ** 20 / run.wallSeconds,
        unit: "MiB/s",
        baseline: 1,
        baselineName: "(MiB/s)",
      },
      {
        name: "upload latency p50 / p99",
        value: quantile(run.latenciesMs, 0.5),
        unit: "ms",
        baseline: quantile(run.latenciesMs, 0.99),
        baselineName: "p99 ms",
      },
    ];
  } finally {
    await net.stop();
  }
}

async function heal(dir: string): Promise<Figure[]> {
  const net = await devnet(join(dir, "heal"), { node: 0, mode: "stop-proving" });
  const rpc = (method: string, params: unknown[] = []) =>
    net.publicClient.request({ method, params } as never);
  try {
    const client = net.dappClient(0);
    const data = randomBytes(HEAL_BYTES);
    const [victim, a, b, spare] = net.nodes.map((n) => n.nodeId) as [number, number, number, number];
    // the baseline: a plain upload of as many bytes to the node that will heal (other bytes, so
    // the heal writes every block afresh)
    const plainStart = performance.now();
    await client.upload(randomBytes(HEAL_BYTES), { nodes: [spare], name: "plain.bin" });
    const plainMs = performance.now() - plainStart;
    const blob = await client.upload(data, { nodes: [victim, a, b].sort((x, y) => x - y), name: "heal.bin" });

    // periods move on until the victim is dropped; the others prove and their watchdogs report
    const period = () =>
      net.publicClient.readContract({
        address: net.deployment.contracts.proofSystem,
        abi: proofSystemAbi,
        functionName: "currentPeriod",
      });
    const standing = () =>
      net.publicClient.readContract({
        address: net.deployment.contracts.proofSystem,
        abi: proofSystemAbi,
        functionName: "nodeStanding",
        args: [victim],
      });
    const { genesis, periodSeconds } = net.deployment.params;
    let droppedAt = 0;
    for (let step = 0; step < 12 && droppedAt === 0; step += 1) {
      const now = Number((await net.publicClient.getBlock()).timestamp);
      const next = now - ((now - genesis) % periodSeconds) + periodSeconds;
      await rpc("evm_increaseTime", [next - now + 1]);
      await rpc("evm_mine");
      const current = await period();
      for (let wait = 0; wait < 100; wait += 1) {
        if ((await standing())[1]) {
          droppedAt = performance.now();
          break;
        }
        const proven = await Promise.all(
          [a, b, spare].map((id) =>
            net.publicClient.readContract({
              address: net.deployment.contracts.proofSystem,
              abi: proofSystemAbi,
              functionName: "isProven",
              args: [id, current],
            }),
          ),
        );
        if (proven.every(Boolean) && wait > 10) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    if (droppedAt === 0) throw new Error("the victim was never dropped");
    let healedMs = Number.NaN;
    for (let wait = 0; wait < 1200; wait += 1) {
      const logs = await net.publicClient.getLogs({
        address: net.deployment.contracts.market,
        fromBlock: net.deployment.deploymentBlock,
      });
      const restored = parseEventLogs({ abi: storageMarketAbi, logs, eventName: "BlobRestored" }).some(
        (event) => event.args.blobId === blob.blobId,
      );
      if (restored) {
        healedMs = performance.now() - droppedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`  heal: plain upload ${plainMs.toFixed(0)} ms, drop to restored ${healedMs.toFixed(0)} ms`);
    return [
      {
        name: `re-replication of ${HEAL_BYTES >> 20} MiB after a drop`,
        value: healedMs,
        unit: "ms",
        baseline: plainMs,
        baselineName: "plain upload to one node",
        max: 2,
      },
    ];
  } finally {
    await net.stop();
  }
}

const dir = await tempDir("bench-durability");
try {
  // STRATA_BENCH_ONLY=load or =heal runs one part
  const only = process.env.STRATA_BENCH_ONLY;
  const figures = [
    ...(only === "heal" ? [] : await load(dir.path)),
    ...(only === "load" ? [] : await heal(dir.path)),
  ];
  const ok = report("durability (devnet as shipped, 4 nodes)", figures);
  process.exitCode = ok ? 0 : 1;
} finally {
  // STRATA_KEEP_TEST_DIRS=1 keeps the devnets' logs for a look
  if (process.env.STRATA_KEEP_TEST_DIRS === "1") console.log(`kept ${dir.path}`);
  else await dir.cleanup();
}
