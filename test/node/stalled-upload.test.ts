import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHUNK_SIZE } from "#protocol";
import { prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
import { marketActions } from "../../devnet/market-actions.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import {
  connectStrata,
  randomBytes,
  type StrataHarness,
  type TestNode,
} from "../../devnet/strata-fixture.ts";
import { nodeConfigDefaults } from "../../node/config.ts";
import { blockPath } from "../../node/datastore/datastore-blockstore.ts";
import { blockOnDisk, leafCids, openUpload } from "../helpers/open-upload.ts";
import { until } from "../helpers/wait-until.ts";

const IDLE_MS = 1000;
const h: StrataHarness = await connectStrata();
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 2);
  // node 0 drops a body idle for a second and collects garbage every second; node 1 keeps the
  // default idle time (its refusals must not come from waiting for a body)
  running = await startNodes(h, env.deployment, nodes, (index) => ({
    http: { host: "127.0.0.1", port: 0, ...(index === 0 ? { uploadIdleMs: IDLE_MS } : {}) },
    storage: { ...nodeConfigDefaults.storage, gcPeriodMs: 1000 },
    prover: { enabled: false, pollMs: 200, watchdog: false },
  }));
});
afterAll(async () => {
  await running?.stop();
});

interface Stats {
  storage: { heldBytes: number; pinnedBlobs: number };
  gc: { runs: number; blocksRemoved: number };
}
const stats = async (index: number) =>
  (await (await fetch(`${running.nodes[index]!.url}/stats`)).json()) as Stats;
const rawStatus = async (index: number, cid: CID) =>
  (await fetch(`${running.nodes[index]!.url}/ipfs/${cid}?format=raw`)).status;
const onDisk = async (dataDir: string, cids: CID[]) =>
  (await Promise.all(cids.map((cid) => blockOnDisk(dataDir, cid)))).every(Boolean);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("an upload whose body stops arriving", () => {
  test("is answered 408 after the idle time, gives its reservation back and leaves nothing", async () => {
    const url = running.nodes[0]!.url;
    const dataDir = running.configs[0]!.dataDir;
    const blob = await prepareBlob(randomBytes(12 * CHUNK_SIZE + 123, 11));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[0]!], blob);
    const before = (await stats(0)).storage.heldBytes;

    const upload = openUpload(url, blobId, blob.size);
    const sent = 9 * CHUNK_SIZE + 5000;
    await upload.write(blob.data.subarray(0, sent));
    // the upload is under way: its size is reserved, its first leaves are on disk
    await until("the reservation", async () => (await stats(0)).storage.heldBytes === before + blob.size);
    // the importer writes leaves 8 at a time: the first 8 are on disk
    const leaves = (await leafCids(blob.data, sent)).slice(0, 8);
    await until("the first leaves on disk", async () => onDisk(dataDir, leaves));
    // they are not served while the upload has not pinned them
    for (const leaf of leaves) expect(await rawStatus(0, leaf)).toBe(404);

    const answer = await upload.answer;
    expect(answer.status).toBe(408);
    expect(answer.json.error?.code).toBe("NODE_ERR_UPLOAD_STALLED");
    expect(answer.afterMs).toBeGreaterThanOrEqual(IDLE_MS);
    expect(answer.afterMs).toBeLessThan(IDLE_MS + 5000);
    await answer.closed;

    expect((await stats(0)).storage.heldBytes).toBe(before);
    expect((await fetch(`${url}/file/${blob.cid}`)).status).toBe(404);
    for (const leaf of leaves) {
      expect(await blockOnDisk(dataDir, leaf)).toBe(false);
      expect(await rawStatus(0, leaf)).toBe(404);
    }
    // the registration is still open: the whole body is taken afterwards
    const retried = await putToNode(url, blobId, blob.data);
    expect(retried.status, JSON.stringify(retried.json)).toBe(200);
  });

  test("garbage collection runs while another upload is open, and that upload ends intact", async () => {
    const url = running.nodes[0]!.url;
    const dataDir = running.configs[0]!.dataDir;
    const blob = await prepareBlob(randomBytes(16 * CHUNK_SIZE + 777, 12));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[0]!], blob);
    // a block nothing pins or holds, written behind the node's back: the collector must remove it
    const garbageBytes = randomBytes(1000, 13);
    const garbage = CID.createV1(raw.code, await sha256.digest(garbageBytes));
    const file = blockPath(`${dataDir}/blocks`, garbage);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, garbageBytes);

    const upload = openUpload(url, blobId, blob.size);
    const piece = 512 * 1024;
    let sent = 0;
    // a trickle, well inside the idle time
    const trickle = async (size = piece) => {
      expect(sent, "the body ran out before the collector ran").toBeLessThan(blob.size - size);
      await upload.write(blob.data.subarray(sent, sent + size));
      sent += size;
      await pause(150);
    };
    // until the importer has written its first 8 leaves (it writes them 8 at a time)
    const leaves = (await leafCids(blob.data)).slice(0, 8);
    while (!(await onDisk(dataDir, leaves))) await trickle();
    // then until the collector has run twice and removed the garbage, the upload still open
    const runsBefore = (await stats(0)).gc.runs;
    // (a thinner trickle: however slow the machine, the body outlasts two collections)
    while ((await stats(0)).gc.runs < runsBefore + 2 || (await blockOnDisk(dataDir, garbage)))
      await trickle(16 * 1024);
    expect(await blockOnDisk(dataDir, garbage)).toBe(false);
    // the upload's leaves, neither pinned nor recorded yet, are all still there
    expect(await onDisk(dataDir, leaves)).toBe(true);

    upload.end(blob.data.subarray(sent));
    const answer = await upload.answer;
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.cid).toBe(blob.cid);
    // the next collection keeps it (pinned): read it back whole after one more run
    const runs = (await stats(0)).gc.runs;
    await until("another collection", async () => (await stats(0)).gc.runs > runs);
    const response = await fetch(`${url}/file/${blob.cid}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(blob.data))).toBe(true);
    for (const leaf of await leafCids(blob.data)) expect(await rawStatus(0, leaf)).toBe(200);
  });
});

describe("a node the proof system dropped", () => {
  test("refuses PUT /store with 503 NODE_ERR_NODE_DROPPED before reading the body", async () => {
    const m = marketActions(h, env.deployment);
    const node = nodes[1]!;
    const url = running.nodes[1]!.url;
    // a blob enrolled on chain that node 1 never proves
    await m.store({ owner: h.wallet(8), nodes: [node], data: randomBytes(4000, 14), epochs: 2 });
    const blob = await prepareBlob(randomBytes(2 * CHUNK_SIZE, 15));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [node], blob);
    const reporter = env.as(h.wallet(9)).proofs;
    await m.nextPeriod();
    for (let miss = 0; miss < 3; miss += 1) {
      const missed = await m.currentPeriod();
      await m.nextPeriod();
      await h.wait(await reporter.write.reportMissedProof([node.nodeId, missed]));
    }
    expect((await reporter.read.nodeStanding([node.nodeId]))[1]).toBe(true);

    // within the standing's refresh time the node knows
    await until("the node to know it was dropped", async () => {
      const { status, json } = await putToNode(url, toHex(new Uint8Array(32).fill(9)), new Uint8Array(10));
      return status === 503 && (json as { error: { code: string } }).error.code === "NODE_ERR_NODE_DROPPED";
    });
    // headers only, not a byte of body: the answer comes at once (node 1 would wait 30 s for a body)
    const upload = openUpload(url, blobId, blob.size);
    const answer = await upload.answer;
    expect(answer.status).toBe(503);
    expect(answer.json.error?.code).toBe("NODE_ERR_NODE_DROPPED");
    expect(answer.afterMs).toBeLessThan(5000);
    upload.destroy();
    expect((await stats(1)).storage.heldBytes).toBe(0);
  });
});
