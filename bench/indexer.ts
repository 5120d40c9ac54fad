// Indexer speed against the chain it reads, in one run: a local `hardhat node` (EDR, as its own
// process) with at least 50,000 Strata events, then
//   - backfill: events indexed per second by a fresh indexer, against a bare eth_getLogs fetch of
//     the same blocks (target >= 0.5: indexing costs at most as much again as fetching);
//   - real time: the largest lag behind the head while blocks keep coming every second
//     (target: at most one block plus the confirmations).
//   npm run bench:indexer               50,000 events
//   STRATA_BENCH_EVENTS=200000 npm run bench:indexer
import { join } from "node:path";
import { type Address, createPublicClient, createWalletClient, encodeFunctionData, http } from "viem";
import { hardhat } from "viem/chains";
import { strataTokenAbi } from "#protocol";
import { devnetAccount } from "../devnet/hardhat-chain.ts";
import { startLocalChain } from "../devnet/start-local-chain.ts";
import { tempDir } from "../devnet/temp-dir.ts";
import { parseIndexerConfig, withDefaults } from "../indexer/config.ts";
import { startIndexer } from "../indexer/indexer.ts";
import { ChainReader } from "../indexer/sync/chain-reader.ts";
import { LogRanges } from "../indexer/sync/log-ranges.ts";
import { createLogger } from "../service/logger.ts";
import { type Figure, report } from "./report.ts";

const root = join(import.meta.dirname, "..");
const EVENTS = Number(process.env.STRATA_BENCH_EVENTS ?? 50_000);
/** Faucet calls per mined block (each emits Transfer and FaucetDripped). */
const PER_BLOCK = 50;
const BATCH = 100;

const dir = await tempDir("bench-indexer");
const devnet = await startLocalChain({
  root,
  dataDir: dir.path,
  chainPort: 18_545 + Math.floor(Math.random() * 400),
});
const figures: Figure[] = [];
try {
  const transport = http(devnet.rpcUrl, { retryCount: 0, timeout: 60_000 });
  const publicClient = createPublicClient({ chain: hardhat, transport });
  const request = publicClient.request as (args: { method: string; params?: unknown[] }) => Promise<unknown>;
  const senders: Address[] = Array.from({ length: 10 }, (_, i) => devnetAccount(10 + i).address);
  const token = devnet.deployment.contracts.token;

  // the events: faucet calls from unlocked accounts, mined in full blocks
  const started = performance.now();
  await request({ method: "evm_setAutomine", params: [false] });
  let sent = 0;
  const calls = Math.ceil(EVENTS / 2);
  let id = 0;
  while (sent < calls) {
    const batch = Math.min(PER_BLOCK, calls - sent);
    // JSON-RPC batches: one HTTP request carries many transactions
    for (let offset = 0; offset < batch; offset += BATCH) {
      const body = Array.from({ length: Math.min(BATCH, batch - offset) }, (_, i) => ({
        jsonrpc: "2.0",
        id: id++,
        method: "eth_sendTransaction",
        params: [
          {
            from: senders[(sent + offset + i) % senders.length],
            to: token,
            gas: "0x186a0",
            data: encodeFunctionData({
              abi: strataTokenAbi,
              functionName: "faucet",
              args: [BigInt(sent + offset + i + 1)],
            }),
          },
        ],
      }));
      const response = await fetch(devnet.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answers = (await response.json()) as { error?: { message: string } }[];
      const failed = answers.find((answer) => answer.error);
      if (failed) throw new Error(`eth_sendTransaction: ${failed.error?.message}`);
    }
    await request({ method: "evm_mine" });
    sent += batch;
  }
  await request({ method: "evm_setAutomine", params: [true] });
  const head = await publicClient.getBlockNumber();
  const from = devnet.deployment.deploymentBlock;
  console.log(
    `generated ${sent} faucet calls up to block ${head} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // baseline: the same blocks fetched with eth_getLogs, in ranges that adapt as the indexer's do
  // (the RPC's answers are capped at 10 MiB)
  const config = parseIndexerConfig(
    withDefaults({
      rpcUrl: devnet.rpcUrl,
      deploymentFile: devnet.deploymentFile,
      database: join(dir.path, "index.db"),
      http: { host: "127.0.0.1", port: 0 },
      health: { intervalMs: 0, timeoutMs: 1000 },
      logLevel: process.env.STRATA_BENCH_LOG ?? "warn",
    }),
  );
  const chain = new ChainReader(devnet.rpcUrl);
  const addresses = Object.values(devnet.deployment.contracts);
  const ranges = new LogRanges(config.logRange);
  let fetched = 0;
  const fetchStart = performance.now();
  for (let start = from; start <= head; ) {
    const range = ranges.next(start, head);
    const blocks = Number(range.to - range.from) + 1;
    try {
      const logs = await chain.logs(addresses, range.from, range.to);
      ranges.succeeded(blocks, logs.length);
      fetched += logs.length;
      start = range.to + 1n;
    } catch (error) {
      if (!ranges.failed(blocks)) throw error;
    }
  }
  const fetchSeconds = (performance.now() - fetchStart) / 1000;

  // the indexer, from an empty database to the head
  const indexStart = performance.now();
  const indexer = await startIndexer(
    { ...config, confirmations: 0 },
    { logger: createLogger(config.logLevel) },
  );
  while (BigInt(indexer.metrics.indexed) < head) await new Promise((resolve) => setTimeout(resolve, 10));
  const indexSeconds = (performance.now() - indexStart) / 1000;
  const indexed = indexer.metrics.eventsIndexed;
  await indexer.stop();
  if (indexed !== fetched) throw new Error(`indexed ${indexed} events, eth_getLogs returned ${fetched}`);
  figures.push({
    name: `backfill, ${indexed.toLocaleString("en-US")} events`,
    value: Math.round(indexed / indexSeconds),
    unit: "events/s",
    baseline: Math.round(fetched / fetchSeconds),
    baselineName: "bare eth_getLogs fetch",
    min: 0.5,
  });

  // real time: blocks every second (the devnet's interval mining), one Strata event in each
  // (a transaction sent just after each block), the indexer with its default confirmations
  const live = await startIndexer(
    { ...config, database: join(dir.path, "live.db") },
    { logger: createLogger(config.logLevel) },
  );
  // caught up with the head as it is now (blocks kept coming while it backfilled)
  while (
    BigInt(live.metrics.indexed) <
    (await publicClient.getBlockNumber()) - BigInt(config.confirmations)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const wallet = createWalletClient({ account: senders[0] as Address, chain: hardhat, transport });
  await request({ method: "evm_setAutomine", params: [false] });
  let worst = 0;
  const until = Date.now() + 15_000;
  let lastHead = await publicClient.getBlockNumber();
  while (Date.now() < until) {
    const now = await publicClient.getBlockNumber();
    if (now !== lastHead) {
      lastHead = now;
      await wallet.writeContract({
        address: token,
        abi: strataTokenAbi,
        functionName: "faucet",
        args: [1n],
        gas: 100_000n,
      });
    }
    worst = Math.max(worst, Number(now) - live.metrics.indexed);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await request({ method: "evm_setAutomine", params: [true] });
  await live.stop();
  figures.push({
    name: `real-time lag, 1 s blocks, ${config.confirmations} confirmations, poll ${config.pollMs} ms`,
    value: worst,
    unit: "blocks",
    baseline: 1 + config.confirmations,
    baselineName: "one block plus the confirmations",
    max: 1,
  });
} finally {
  await devnet.stop();
  await dir.cleanup();
}
process.exitCode = report("Indexer", figures) ? 0 : 1;
