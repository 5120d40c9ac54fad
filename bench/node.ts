// Storage node throughput against raw Helia in the same run, and hot reads against a bare
// Fastify route. The node runs as its own process (as operators run it) over the in-process
// Hardhat chain served on loopback; the Helia baseline runs in processes of its own too
// (bench/helia-baseline.ts), and so does the bare Fastify server of the hot-read figure
// (bench/bare-fastify.ts). Each throughput figure is the median of three rounds.
//   npm run bench:node              64 MiB and 1 GiB
//   npm run bench:node -- --quick   64 MiB only
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import autocannon from "autocannon";
import { serializeDeployment } from "#protocol";
import { prepareBlob, putToNode, registerPrepared } from "../devnet/blob-upload.ts";
import { noise } from "../devnet/noise.ts";
import { serveProvider } from "../devnet/serve-provider.ts";
import { connectStrata, signerKey } from "../devnet/strata-fixture.ts";
import { tempDir } from "../devnet/temp-dir.ts";
import { nodeConfigDefaults } from "../node/config.ts";
import { HEAP_GROWING_FLAG, tuneHeapForStreaming } from "../node/tune-heap.ts";
import { type Figure, report } from "./report.ts";

const quick = process.argv.includes("--quick");
// the client (this process) streams gigabytes too: it gets the node's heap setting, so that its
// own garbage collection does not hold the uploads back
tuneHeapForStreaming();
const MiB = 1024 * 1024;
const root = join(import.meta.dirname, "..");

/**
 * PUTs `data` with node:http, written to the socket in 1 MiB writes (fetch copies a body before
 * sending it, which would measure the client rather than the node).
 */
function putRaw(url: string, blobId: string, data: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/store?blobId=${blobId}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": data.length },
    });
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", reject);
    let offset = 0;
    const write = () => {
      while (offset < data.length) {
        const piece = data.subarray(offset, offset + MiB);
        offset += piece.length;
        if (!request.write(piece)) {
          request.once("drain", write);
          return;
        }
      }
      request.end();
    };
    write();
  });
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

/** Restarts the peak resident memory count of a process (Linux: clear_refs 5 resets VmHWM). */
async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, "5");
}

/** Peak resident memory of a process since the last reset (VmHWM), in MiB. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

/**
 * Stock Helia on the same bytes, in its own process (bench/helia-baseline.ts); with `tuned`, that
 * process gets the node's heap setting too.
 */
async function rawHelia(data: Uint8Array, cid: string, tuned: boolean) {
  const dataFile = join(dir.path, "baseline.bin");
  await writeFile(dataFile, data);
  const args = [
    ...(tuned ? [HEAP_GROWING_FLAG] : []),
    join(root, "bench", "helia-baseline.ts"),
    dataFile,
    join(dir.path, "raw"),
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const baseline = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    baseline.stdout.on("data", (piece) => {
      text += piece;
    });
    baseline.on("error", reject);
    baseline.on("exit", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`baseline exited ${code}`)),
    );
  });
  await rm(dataFile, { force: true });
  const result = JSON.parse(output) as { add: number; cat: number; cid: string };
  if (result.cid !== cid) throw new Error(`baseline CID ${result.cid}, expected ${cid}`);
  return result;
}

async function load(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: 32, duration: seconds, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

const h = await connectStrata();
const { deployment } = await h.deploy();
const [node] = await h.registerNodes(deployment, 1);
const rpc = await serveProvider(h.connection.provider);
const dir = await tempDir("bench-node");
const deploymentFile = join(dir.path, "deployment.json");
await writeFile(deploymentFile, serializeDeployment(deployment));
const configFile = join(dir.path, "node.json");
const port = 19_900 + Math.floor(Math.random() * 80);
await writeFile(
  configFile,
  JSON.stringify({
    ...nodeConfigDefaults,
    rpcUrl: rpc.url,
    deploymentFile,
    nodeId: node!.nodeId,
    signerKey: signerKey(0),
    dataDir: join(dir.path, "data"),
    http: { host: "127.0.0.1", port },
    prover: { enabled: false, pollMs: 1000 },
    logLevel: process.env.STRATA_BENCH_LOG ?? "warn",
  }),
);
// STRATA_BENCH_NODE_ARGS passes flags to the node's process, e.g. "--cpu-prof --trace-gc"
const nodeArgs = process.env.STRATA_BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
const child: ChildProcess = spawn(
  process.execPath,
  [...nodeArgs, join(root, "node", "server.ts"), configFile],
  {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  },
);
const url = `http://127.0.0.1:${port}`;
for (let i = 0; ; i += 1) {
  try {
    if ((await fetch(`${url}/health`)).ok) break;
  } catch {
    if (i > 150) throw new Error("node did not start");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One round at one size: raw Helia, then the node, on the same bytes. */
async function round(size: number, seed: number) {
  const data = noise(size, seed);
  const blob = await prepareBlob(data);
  const raw = await rawHelia(data, blob.cid, false);
  const tuned = await rawHelia(data, blob.cid, true);
  const blobId = await registerPrepared(h, deployment, h.wallet(8), [node!], blob);
  let status = 0;
  await resetPeakRss(child.pid!);
  const put = await seconds(async () => {
    status = await putRaw(url, blobId, data);
  });
  if (status !== 200) throw new Error(`PUT /store answered ${status}`);
  const putPeak = await peakRss(child.pid!);
  await resetPeakRss(child.pid!);
  const get = await seconds(async () => {
    const reader = (await fetch(`${url}/file/${blob.cid}`)).body!.getReader();
    while (!(await reader.read()).done) {
      // drain
    }
  });
  return { raw, tuned, put, get, putPeak, getPeak: await peakRss(child.pid!) };
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

const figures: Figure[] = [];
let bare: ChildProcess | undefined;
try {
  // a node that has been up a while: its code is compiled and its thread pool started (each
  // baseline process warms up the same way)
  await round(16 * MiB, 200);
  const sizes = quick
    ? [64 * MiB]
    : process.env.STRATA_BENCH_ONLY_GIB
      ? [1024 * MiB]
      : [64 * MiB, 1024 * MiB];
  for (const size of sizes) {
    const label = size >= 1024 * MiB ? "1 GiB" : `${size / MiB} MiB`;
    // the median of a few rounds: one slow moment of a noisy machine does not decide the figure
    const rounds = [];
    for (let i = 0; i < 3; i += 1) rounds.push(await round(size, size / MiB + i));
    const mbps = (seconds: number) => size / MiB / seconds;
    figures.push(
      {
        name: `PUT /store, ${label}`,
        value: median(rounds.map((r) => mbps(r.put))),
        unit: "MB/s",
        baseline: median(rounds.map((r) => mbps(r.raw.add))),
        baselineName: "Helia addByteStream",
        min: 0.7,
      },
      {
        name: `PUT /store, ${label} (informational)`,
        value: median(rounds.map((r) => mbps(r.put))),
        unit: "MB/s",
        baseline: median(rounds.map((r) => mbps(r.tuned.add))),
        baselineName: "Helia addByteStream with the node's heap setting",
      },
      {
        name: `GET /file, ${label}`,
        value: median(rounds.map((r) => mbps(r.get))),
        unit: "MB/s",
        baseline: median(rounds.map((r) => mbps(r.raw.cat))),
        baselineName: "Helia cat",
        min: 0.7,
      },
    );
    if (size >= 1024 * MiB) {
      figures.push(
        {
          name: "peak RSS of the node, 1 GiB upload",
          value: Math.max(...rounds.map((r) => r.putPeak)),
          unit: "MiB",
          baseline: 256,
          baselineName: "budget",
          max: 1,
        },
        {
          name: "peak RSS of the node, 1 GiB download",
          value: Math.max(...rounds.map((r) => r.getPeak)),
          unit: "MiB",
          baseline: 256,
          baselineName: "budget",
          max: 1,
        },
      );
    }
  }

  // hot reads of a 4 KiB blob against a bare Fastify route answering 4 KiB from memory
  const small = await prepareBlob(noise(4096, 99));
  const smallId = await registerPrepared(h, deployment, h.wallet(8), [node!], small);
  await putToNode(url, smallId, small.data);
  const bodyFile = join(dir.path, "small.bin");
  await writeFile(bodyFile, small.data);
  bare = spawn(process.execPath, [join(root, "bench", "bare-fastify.ts"), bodyFile], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(bare.stdout!, "data")) as [Buffer];
  const bareUrl = line.toString().trim();
  await load(`${bareUrl}/blob`, 2);
  await load(`${url}/file/${small.cid}`, 2);
  const bareRps = await load(`${bareUrl}/blob`, 10);
  const nodeRps = await load(`${url}/file/${small.cid}`, 10);
  figures.push({
    name: "GET /file, 4 KiB hot blob, 32 connections",
    value: Math.round(nodeRps),
    unit: "req/s",
    baseline: Math.round(bareRps),
    baselineName: "bare Fastify, 4 KiB from memory",
    min: 0.5,
  });
} finally {
  bare?.kill("SIGTERM");
  // the node writes its stores' last counts as it stops: the directory goes once it has exited
  const exited = child.exitCode === null ? once(child, "exit") : undefined;
  child.kill("SIGTERM");
  await exited;
  await rpc.close();
  await dir.cleanup();
}
process.exitCode = report("Storage node", figures) ? 0 : 1;
