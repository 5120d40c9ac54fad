// Names, in one run over a local `hardhat node` (EDR, its own process, a block every second plus
// one per transaction) and an indexer in this process:
//   - resolve: p50 and p95 of 1,000 SDK resolves of 100 names through the indexer, against a plain
//     GET /health round trip to the same indexer (target p95 <= 3);
//   - gas: a first publish and an update, against an ERC-20 transfer of the Strata token between
//     two holders (target: an update <= 1.5x);
//   - publish to visible: from the update's receipt to the indexer answering it, against the
//     indexer's confirmations x the block time (2 x 1 s; target <= 1.5).
//   npm run bench:names
import { join } from "node:path";
import { createWalletClient, http, parseEventLogs } from "viem";
import { hardhat } from "viem/chains";
import { nameRegistryAbi, strataTokenAbi } from "#protocol";
import { devnetAccount } from "../devnet/hardhat-chain.ts";
import { startLocalChain } from "../devnet/start-local-chain.ts";
import { tempDir } from "../devnet/temp-dir.ts";
import { parseIndexerConfig, withDefaults } from "../indexer/config.ts";
import { startIndexer } from "../indexer/indexer.ts";
import { StrataClient } from "../sdk/index.ts";
import { createLogger } from "../service/logger.ts";
import { type Figure, report } from "./report.ts";

const root = join(import.meta.dirname, "..");
const NAMES = 100;
const RESOLVES = 1_000;
const CONFIRMATIONS = 2;
const BLOCK_MS = 1_000;
const TARGETS = [
  "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
  "bafkreiaxnnnb7qz2focittuqq3ya25q7rcv3bqynnczfzako47346wosmu",
];

const dir = await tempDir("bench-names");
const chain = await startLocalChain({
  root,
  dataDir: dir.path,
  chainPort: 19_545 + Math.floor(Math.random() * 400),
});
const figures: Figure[] = [];
let indexer: Awaited<ReturnType<typeof startIndexer>> | undefined;
try {
  const config = parseIndexerConfig(
    withDefaults({
      rpcUrl: chain.rpcUrl,
      deploymentFile: chain.deploymentFile,
      database: join(dir.path, "index.db"),
      http: { host: "127.0.0.1", port: 0 },
      confirmations: CONFIRMATIONS,
      pollMs: 100,
      health: { intervalMs: 0, timeoutMs: 1000 },
      logLevel: "warn",
    }),
  );
  indexer = await startIndexer(config, { logger: createLogger("warn", { name: "strata-indexer" }) });
  const transport = http(chain.rpcUrl);
  const clientAs = (account: number) =>
    new StrataClient({
      deployment: chain.deployment,
      publicClient: chain.publicClient,
      signer: createWalletClient({ account: devnetAccount(account), chain: hardhat, transport }),
      indexerUrl: indexer!.url,
      pollingIntervalMs: 50,
    });

  // gas: an ERC-20 transfer between two holders, a first publish, an update
  const owner = clientAs(10);
  await owner.faucet(10n ** 21n);
  await clientAs(11).faucet(10n ** 21n);
  const wallet = createWalletClient({ account: devnetAccount(10), chain: hardhat, transport });
  const transfer = await chain.publicClient.waitForTransactionReceipt({
    hash: await wallet.writeContract({
      address: chain.deployment.contracts.token,
      abi: strataTokenAbi,
      functionName: "transfer",
      args: [devnetAccount(11).address, 10n ** 18n],
    }),
  });
  const gasOf = async (hash: `0x${string}`) =>
    (await chain.publicClient.getTransactionReceipt({ hash })).gasUsed;
  const first = await owner.names.publish("gas", TARGETS[0]!, { mirror: false });
  const update = await owner.names.publish("gas", TARGETS[1]!, { mirror: false });
  const firstGas = await gasOf(first.hash);
  const updateGas = await gasOf(update.hash);
  figures.push(
    {
      name: "first publish gas",
      value: Number(firstGas),
      unit: "gas",
      baseline: Number(transfer.gasUsed),
      baselineName: "ERC-20 transfer",
    },
    {
      name: "update gas",
      value: Number(updateGas),
      unit: "gas",
      baseline: Number(transfer.gasUsed),
      baselineName: "ERC-20 transfer",
      max: 1.5,
    },
  );

  // publish to visible: the receipt, then the indexer answering the new sequence
  const visible: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const published = await owner.names.publish("visible", TARGETS[i % 2]!, { mirror: false });
    const mined = performance.now();
    for (;;) {
      const state = await owner.indexer.names.name(published.nameId).catch(() => undefined);
      if (state && BigInt(state.sequence) === published.sequence) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    visible.push(performance.now() - mined);
  }
  figures.push({
    name: "publish to visible (median of 5)",
    value: median(visible),
    unit: "ms",
    baseline: CONFIRMATIONS * BLOCK_MS,
    baselineName: `${CONFIRMATIONS} confirmations x ${BLOCK_MS} ms blocks`,
    max: 1.5,
  });

  // 100 names over four owners, then 1,000 resolves against 1,000 health checks, interleaved
  const owners = [12, 13, 14, 15].map(clientAs);
  const ids: `0x${string}`[] = [];
  for (let i = 0; i < NAMES; i += 1) {
    const published = await owners[i % owners.length]!.names.publish(`name-${i}`, TARGETS[i % 2]!, {
      mirror: false,
    });
    ids.push(published.nameId);
  }
  // every name indexed before the clock starts
  while (
    !(await owner.indexer.names.name(ids.at(-1)!).then(
      () => true,
      () => false,
    ))
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const reader = new StrataClient({
    deployment: chain.deployment,
    publicClient: chain.publicClient,
    indexerUrl: indexer.url,
  });
  const resolves: number[] = [];
  const healths: number[] = [];
  for (let i = 0; i < 50; i += 1) await reader.names.resolve(ids[i % NAMES]!); // warm up
  for (let i = 0; i < RESOLVES; i += 1) {
    let started = performance.now();
    await reader.indexer.health();
    healths.push(performance.now() - started);
    started = performance.now();
    const resolved = await reader.names.resolve(ids[i % NAMES]!);
    resolves.push(performance.now() - started);
    if (!resolved.cid) throw new Error("a name resolved to no CID");
  }
  figures.push(
    {
      name: "resolve p50",
      value: quantile(resolves, 0.5),
      unit: "ms",
      baseline: quantile(healths, 0.5),
      baselineName: "GET /health p50",
    },
    {
      name: "resolve p95",
      value: quantile(resolves, 0.95),
      unit: "ms",
      baseline: quantile(healths, 0.95),
      baselineName: "GET /health p95",
      max: 3,
    },
  );
  const logs = parseEventLogs({
    abi: nameRegistryAbi,
    logs: (await chain.publicClient.getTransactionReceipt({ hash: update.hash })).logs,
  });
  if (logs[0]?.eventName !== "NamePublished") throw new Error("the update emitted no NamePublished");
} finally {
  await indexer?.stop();
  await chain.stop();
  await dir.cleanup();
}
const ok = report("names: resolve through the indexer, gas, publish to visible", figures);
process.exitCode = ok ? 0 : 1;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}
