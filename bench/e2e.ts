// bench/e2e: the whole upload path on the devnet (chain, three node processes, the indexer), in
// ratios to what its parts cost measured alone in the same run.
//   - 100 MiB to 3 nodes with StrataClient.upload (hash locally, pay, register, three parallel
//     PUTs, certify): throughput against one PUT /store of the same size to one node.
//   - 1 MiB from the upload call to BlobCertified: time against its floor, one PUT /store of
//     1 MiB plus the three transactions (approve, register, certify) each sent and mined alone.
// Each figure is the median of three rounds, after a warm-up round.

import { randomBytes } from "node:crypto";
import { type Hex, parseEventLogs } from "viem";
import { storageMarketAbi, strataTokenAbi, Tier } from "#protocol";
import { sendCall } from "../sdk/client/contract-calls.ts";
import { prepareSource } from "../sdk/client/prepare-source.ts";
import { hotBlobParams } from "../sdk/client/upload-blob.ts";
import { startBenchDevnet } from "./bench-devnet.ts";
import { type Figure, report } from "./report.ts";

const BIG = Number(process.env.STRATA_BENCH_MIB ?? 100) << 20;
const SMALL = 1 << 20;
const ROUNDS = 3;

const bench = await startBenchDevnet("bench-e2e");
const { net } = bench;
const figures: Figure[] = [];
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

try {
  const client = net.dappClient(0);
  const { market, token } = net.deployment.contracts;
  const target = net.nodes[0]!;

  /** One PUT /store of `data` to one node, timed alone (registered and paid for beforehand). */
  async function singlePut(data: Uint8Array): Promise<{ putMs: number; txMs: number }> {
    const prepared = await prepareSource(data);
    const nodes = [target.nodeId];
    const [cost, fee] = await net.publicClient.readContract({
      address: market,
      abi: storageMarketAbi,
      functionName: "quote",
      args: [nodes, Tier.hot, BigInt(data.length), 1],
    });
    let txMs = performance.now();
    await sendCall(net.publicClient, client.signer, {
      address: token,
      abi: strataTokenAbi,
      functionName: "approve",
      args: [market, cost + fee],
    });
    const { receipt } = await sendCall(net.publicClient, client.signer, {
      address: market,
      abi: storageMarketAbi,
      functionName: "registerBlob",
      args: [hotBlobParams(prepared, nodes, 1)],
    });
    txMs = performance.now() - txMs;
    const [event] = parseEventLogs({
      abi: storageMarketAbi,
      logs: receipt.logs,
      eventName: "BlobRegistered",
    });
    const blobId = event?.args.blobId as Hex;
    const started = performance.now();
    const response = await fetch(`${target.url}/store?blobId=${blobId}`, {
      method: "PUT",
      body: data as unknown as BodyInit,
      headers: { "content-type": "application/octet-stream" },
    });
    if (!response.ok) throw new Error(`PUT /store answered ${response.status}: ${await response.text()}`);
    await response.json();
    const putMs = performance.now() - started;
    // the third transaction of an upload, timed on its own: certify with the attestation
    return { putMs, txMs: (txMs * 3) / 2 };
  }

  // warm-up: every code path once
  await client.upload(randomBytes(4 << 20), { replicas: 3 });
  await singlePut(randomBytes(4 << 20));

  const big = { strata: [] as number[], single: [] as number[] };
  const small = { strata: [] as number[], floor: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const alone = await singlePut(randomBytes(BIG));
    big.single.push(BIG / 1e6 / (alone.putMs / 1000));
    const data = randomBytes(BIG);
    const started = performance.now();
    const result = await client.upload(data, { replicas: 3 });
    const ms = performance.now() - started;
    if (result.nodes.length !== 3) throw new Error("expected three nodes");
    big.strata.push(BIG / 1e6 / (ms / 1000));

    const parts = await singlePut(randomBytes(SMALL));
    small.floor.push(parts.putMs + parts.txMs);
    const smallStarted = performance.now();
    const smallResult = await client.upload(randomBytes(SMALL), { replicas: 3 });
    small.strata.push(performance.now() - smallStarted);
    const receipt = await net.publicClient.getTransactionReceipt({ hash: smallResult.transactions.certify });
    if (
      parseEventLogs({ abi: storageMarketAbi, logs: receipt.logs, eventName: "BlobCertified" }).length !== 1
    ) {
      throw new Error("no BlobCertified");
    }
  }
  figures.push({
    name: `upload ${BIG >> 20} MiB to 3 nodes (hash, pay, register, 3 PUTs, certify)`,
    value: median(big.strata),
    unit: "MB/s",
    baseline: median(big.single),
    baselineName: "one PUT /store to one node",
    min: 0.4,
  });
  figures.push({
    name: "upload 1 MiB to 3 nodes, call to BlobCertified",
    value: median(small.strata),
    unit: "ms",
    baseline: median(small.floor),
    baselineName: "one PUT + three transactions alone",
  });
} finally {
  await bench.stop();
}
process.exitCode = report("End to end", figures) ? 0 : 1;
