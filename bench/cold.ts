// The cold tier's figures (issue 7): encode and decode throughput per core for 64 MiB, the bytes
// a real repair of one lost shard moves as a fraction of the blob, and a cold read of 64 MiB
// (rebuilt from the shards over loopback) against a hot read of the same blob, in one run.
//
//   npm run bench:cold            (add --quick for one round instead of three)
import { rm } from "node:fs/promises";
import { join } from "node:path";
import {
  type ColdLayout,
  coldLayoutForFaults,
  encodeShards,
  encodeWhole,
  erasureKernel,
  StripeCodec,
} from "#protocol";
import type { StoreReply } from "../api/node/index.ts";
import {
  certifyWith,
  prepareBlob,
  putToNode,
  registerCold,
  registerPrepared,
  storeCold,
} from "../devnet/blob-upload.ts";
import { marketActions } from "../devnet/market-actions.ts";
import { noise } from "../devnet/noise.ts";
import { startNodes } from "../devnet/start-nodes.ts";
import { connectStrata, type TestNode } from "../devnet/strata-fixture.ts";
import { type Figure, report } from "./report.ts";

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const rounds = process.argv.includes("--quick") ? 1 : 3;
const median = (values: number[]) =>
  values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function* once(data: Uint8Array) {
  yield data;
}

/** MB/s of `work` over `bytes`, the median of `rounds` runs. */
async function throughput(bytes: number, work: () => Promise<unknown> | unknown): Promise<number> {
  const speeds: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const start = performance.now();
    await work();
    speeds.push(bytes / 1e6 / ((performance.now() - start) / 1000));
  }
  return median(speeds);
}

/** Bytes moved to repair holder 0's shard from holders 1..k (checked against the shard). */
function repairTraffic(layout: ColdLayout, shards: Uint8Array[]): number {
  const codec = new StripeCodec(layout);
  const rebuilt = new Uint8Array(layout.shardSize);
  let moved = 0;
  for (let t = 0; t < layout.stripes; t += 1) {
    const at = t * layout.shardStripeBytes;
    const symbols = shards.map((shard, i) => {
      if (i === 0 || i > layout.recovery) return undefined;
      const out = new Uint8Array(layout.symbolSize);
      codec.repairSymbols(0, shard.subarray(at, at + layout.shardStripeBytes), out);
      moved += out.length;
      return out;
    });
    codec.repair(symbols, rebuilt.subarray(at, at + layout.shardStripeBytes));
  }
  if (!Buffer.from(rebuilt).equals(Buffer.from(shards[0] as Uint8Array))) throw new Error("repair is wrong");
  return moved;
}

/**
 * The least any code can move to rebuild one of n shards when any k rebuild the blob: the
 * minimum-bandwidth regenerating point of the cut-set bound, with all n - 1 others helping
 * (Dimakis et al. 2010), 2d / (k (2d - k + 1)) of the blob with d = n - 1.
 */
const cutSetBound = (n: number, k: number) => (2 * (n - 1)) / (k * (2 * (n - 1) - k + 1));

/** Decodes the blob from the last k holders' primary parts: the f systematic rows they lack are computed. */
function decodeWorstCase(layout: ColdLayout, shards: Uint8Array[], out: Uint8Array): void {
  const codec = new StripeCodec(layout);
  const from = layout.nodes - layout.recovery;
  for (let t = 0; t < layout.stripes; t += 1) {
    const at = t * layout.shardStripeBytes;
    const primaries = shards.map((shard, i) =>
      i >= from ? codec.primaryOf(i, shard.subarray(at, at + layout.shardStripeBytes)) : undefined,
    );
    codec.decode(primaries, out.subarray(t * layout.stripeBytes, (t + 1) * layout.stripeBytes));
  }
}

const data = noise(SIZE, 7);
const figures: Figure[] = [];
const copy = new Uint8Array(SIZE);
const memcpy = await throughput(SIZE, () => copy.set(data));
console.log(`erasure kernel: ${erasureKernel}; one core`);
for (const [n, f] of [
  [5, 1],
  [10, 3],
]) {
  const layout = coldLayoutForFaults(SIZE, n as number, f as number);
  const label = `n=${n}, f=${f}`;
  const encode = await throughput(SIZE, async () => {
    for await (const _ of encodeShards(once(data), layout)) {
      // the parts are produced; nothing else
    }
  });
  const shards = await encodeWhole(data, layout);
  // the output is allocated once: the figure is the codec's, not the page faults of 64 MiB
  const decoded = new Uint8Array(layout.stripes * layout.stripeBytes);
  const decode = await throughput(SIZE, () => {
    decodeWorstCase(layout, shards, decoded);
  });
  if (!Buffer.from(decoded.subarray(0, SIZE)).equals(Buffer.from(data))) throw new Error("decode is wrong");
  const moved = repairTraffic(layout, shards) / SIZE;
  figures.push(
    {
      name: `encode 64 MiB, ${label}`,
      value: encode,
      unit: "MB/s",
      baseline: 1000,
      baselineName: "target 1 GB/s",
      min: 1,
    },
    {
      name: `decode 64 MiB, ${label}, ${f} systematic row${f === 1 ? "" : "s"} lost`,
      value: decode,
      unit: "MB/s",
      baseline: 1000,
      baselineName: "1 GB/s",
    },
    {
      name: `encode 64 MiB, ${label}`,
      value: encode,
      unit: "MB/s",
      baseline: memcpy,
      baselineName: "memcpy",
    },
    {
      name: `repair traffic (codec), one shard, ${label}`,
      value: moved,
      unit: "of the blob",
      baseline: 2 / (n as number),
      baselineName: "2/n =",
    },
    {
      name: `repair traffic (codec), one shard, ${label}`,
      value: moved,
      unit: "of the blob",
      baseline: cutSetBound(n as number, layout.recovery),
      baselineName: "cut-set bound, any code =",
    },
  );
}

// real nodes: a cold blob over 5 of them (any 4 rebuild it), the same bytes hot on the first
const h = await connectStrata();
const { deployment } = await h.deploy();
const nodes = await h.registerNodes(deployment, 6);
const running = await startNodes(h, deployment, nodes, () => ({
  prover: { enabled: true, pollMs: 200, watchdog: false },
  cold: { repair: false, promoteAfterReads: 1000, demoteAfterMs: 3_600_000, policyPeriodMs: 60_000 },
}));
try {
  const owner = h.wallet(8);
  const blob = await prepareBlob(data);
  const hotId = await registerPrepared(h, deployment, owner, [nodes[0] as TestNode], blob);
  const stored = await putToNode(running.nodes[0]?.url as string, hotId, data);
  await certifyWith(h, deployment, owner, hotId, [stored.json as StoreReply]);
  const holders = [1, 2, 3, 4, 5];
  const cold = await registerCold(
    h,
    deployment,
    owner,
    holders.map((i) => nodes[i] as TestNode),
    blob,
    1,
  );
  await storeCold(
    h,
    deployment,
    owner,
    blob,
    cold,
    holders.map((i) => ({
      nodeId: (nodes[i] as TestNode).nodeId,
      endpoint: running.nodes[i]?.url as string,
    })),
  );
  const read = async (url: string, expectCold: boolean) => {
    const start = performance.now();
    const response = await fetch(`${url}/file/${blob.cid}`);
    if ((response.headers.get("x-strata-tier") === "cold") !== expectCold)
      throw new Error("read the wrong tier");
    let bytes = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
    if (bytes !== SIZE) throw new Error(`read ${bytes} bytes`);
    return SIZE / 1e6 / ((performance.now() - start) / 1000);
  };
  await read(running.nodes[0]?.url as string, false); // warm
  const hot: number[] = [];
  const coldReads: number[] = [];
  // each cold holder reads it cold once (afterwards it keeps a hot copy)
  for (let i = 0; i < Math.min(rounds, 4); i += 1) {
    hot.push(await read(running.nodes[0]?.url as string, false));
    const url = running.nodes[1 + i]?.url as string;
    coldReads.push(await read(url, true));
    // the node imports its hot copy after answering: let it finish before the next measurement
    for (let wait = 0; wait < 600; wait += 1) {
      const stats = (await (await fetch(`${url}/stats`)).json()) as {
        cold: { hotCopies: { cid: string }[] };
      };
      if (stats.cold.hotCopies.some((copy) => copy.cid === blob.cid)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  figures.push({
    name: "cold read 64 MiB (rebuilt from 4 of 5)",
    value: median(coldReads),
    unit: "MB/s",
    baseline: median(hot),
    baselineName: "hot read",
    min: 0.3,
  });

  // repair: holder 5 loses its shard; it is rebuilt from the others' repair symbols
  const lost = running.nodes[5];
  const statsOf = async () =>
    (
      (await (await fetch(`${lost?.url}/stats`)).json()) as {
        cold: { repairs: number; repairBytesIn: number };
      }
    ).cold;
  await rm(join(running.configs[5]?.dataDir as string, "shards", cold.blobId));
  const before = await statsOf();
  // the next period's challenge finds the shard missing: the node rebuilds it
  const repairStart = performance.now();
  await marketActions(h, deployment).nextPeriod();
  let after = before;
  for (let i = 0; after.repairs === before.repairs; i += 1) {
    if (i > 600) throw new Error("the lost shard was not repaired");
    await h.networkHelpers.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await statsOf();
  }
  const moved = after.repairBytesIn - before.repairBytesIn;
  const n = cold.layout.nodes;
  // a shard is 2/(k+1) = 2/n of the stored stripes here (f = 1); the last stripe's zero padding
  // (under 64 bytes a symbol) is stored and moved too, so the allowance is the padded share
  const padded = (cold.layout.stripes * cold.layout.stripeBytes) / SIZE;
  figures.push(
    {
      name: `repair traffic over loopback, one shard, n=${n}, f=1`,
      value: moved / SIZE,
      unit: "of the blob",
      baseline: 2 / n,
      baselineName: `2/n =`,
      max: padded,
    },
    {
      name: "repair traffic vs the shard it rebuilds",
      value: moved,
      unit: "bytes",
      baseline: cold.layout.shardSize,
      baselineName: "shard size",
    },
  );
  console.log(
    `repair of ${cold.layout.shardSize.toLocaleString("en-US")} bytes took ${((performance.now() - repairStart) / 1000).toFixed(2)} s`,
  );
} finally {
  await running.stop();
}
const ok = report("cold tier (medians; one core for the codec)", figures);
process.exit(ok ? 0 : 1);
