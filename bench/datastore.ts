// The node's datastore figures (issue 19), each against a baseline measured in the same run:
// - negative `has`: 100k calls for absent blocks with the bloom filter warm, against the same
//   calls with no filter (each a stat of the block's file);
// - garbage collection: blocks freed per second by the collector (listing, pin checks, batched
//   deletes), against a plain loop unlinking the same number of files;
// - the longest stall of an upload (the longest gap between two of its block writes) while the
//   collector deletes, against the same upload with the collector idle.
//
//   npm run bench:datastore            (add --quick for smaller counts)
import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { CHUNK_SIZE } from "#protocol";
import { longestStall, openStoreWorkload, type StoreWorkload } from "../devnet/store-workload.ts";
import { randomBytes } from "../devnet/strata-fixture.ts";
import { tempDir } from "../devnet/temp-dir.ts";
import { type Figure, report } from "./report.ts";

const quick = process.argv.includes("--quick");
const STORED = quick ? 5_000 : 20_000;
const ABSENT = quick ? 20_000 : 100_000;
const GARBAGE = quick ? 10_000 : 50_000;
const UPLOAD = 24 * CHUNK_SIZE;

async function absentHas(workload: StoreWorkload, count: number): Promise<number> {
  const absent: CID[] = [];
  for (let i = 0; i < count; i++) {
    absent.push(CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`absent ${i}`))));
  }
  const started = performance.now();
  for (const cid of absent)
    if (await workload.stores.blockstore.has(cid)) throw new Error(`${cid} is not absent`);
  return performance.now() - started;
}

async function negativeHas(): Promise<Figure> {
  const times: Record<string, number> = {};
  for (const [name, bloomFilterSize] of [
    ["with", 256 * 1024],
    ["without", 0],
  ] as const) {
    const dir = await tempDir("strata-bench-bloom-");
    const workload = await openStoreWorkload(dir.path, { bloomFilterSize });
    try {
      await workload.writeGarbage(STORED);
      await workload.stores.blockstore.rebuild();
      times[name] = await absentHas(workload, ABSENT);
    } finally {
      await workload.close();
      await dir.cleanup();
    }
  }
  const perSecond = (ms = 1) => (ABSENT / ms) * 1000;
  return {
    name: `negative has, ${ABSENT.toLocaleString("en-US")} calls`,
    value: perSecond(times.with),
    unit: "calls/s",
    baseline: perSecond(times.without),
    baselineName: "no filter",
    min: 5,
  };
}

/** The block files under a flat-file store, by path. */
async function blockFiles(blocks: string): Promise<string[]> {
  const files: string[] = [];
  for (const shard of await readdir(blocks, { withFileTypes: true })) {
    if (!shard.isDirectory()) continue;
    for (const file of await readdir(join(blocks, shard.name))) {
      if (file.endsWith(".data")) files.push(join(blocks, shard.name, file));
    }
  }
  return files;
}

async function collection(): Promise<Figure[]> {
  const dir = await tempDir("strata-bench-gc-");
  const workload = await openStoreWorkload(dir.path, { gcBatch: 1000 });
  try {
    // the collector over GARBAGE unpinned blocks
    await workload.writeGarbage(GARBAGE);
    await workload.stores.flush();
    let started = performance.now();
    const done = await workload.gc.collect();
    const collectorMs = performance.now() - started;
    if (done.removed !== GARBAGE) throw new Error(`collected ${done.removed} of ${GARBAGE}`);

    // a plain delete loop over as many files
    await workload.writeGarbage(GARBAGE);
    await workload.stores.flush();
    const files = await blockFiles(join(dir.path, "blocks"));
    started = performance.now();
    for (const file of files) await unlink(file);
    const plainMs = performance.now() - started;

    // an upload with the collector idle, then the same upload while it collects
    const data = randomBytes(UPLOAD, 7);
    const idle = await workload.upload(1, data);
    for await (const _ of workload.helia.pins.rm(idle));
    await workload.gc.collect();
    await workload.writeGarbage(GARBAGE);
    await workload.stores.flush();
    const collecting = workload.gc.collect();
    // the upload starts once the collector is deleting
    while (!workload.events.some((e) => e.kind === "batch" && e.batch === 1))
      await new Promise((r) => setTimeout(r, 5));
    await workload.upload(2, data);
    const during = await collecting;
    const stalls = { idle: longestStall(workload.events, 1), gc: longestStall(workload.events, 2) };
    return [
      {
        name: `GC, ${GARBAGE.toLocaleString("en-US")} unpinned blocks`,
        value: (done.removed / collectorMs) * 1000,
        unit: "blocks/s",
        baseline: (files.length / plainMs) * 1000,
        baselineName: "plain unlink loop",
        min: 0.5,
      },
      {
        name: `longest upload stall during GC (${during.batches} batches)`,
        value: stalls.gc,
        unit: "ms",
        baseline: stalls.idle,
        baselineName: "GC idle",
        max: 10,
      },
    ];
  } finally {
    await workload.close();
    await dir.cleanup();
  }
}

const figures = [await negativeHas(), ...(await collection())];
const ok = report("The node's datastore (bench/datastore.ts)", figures);
process.exitCode = ok ? 0 : 1;
