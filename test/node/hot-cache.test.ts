import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import {
  connectStrata,
  randomBytes,
  type StrataHarness,
  type TestNode,
} from "../../devnet/strata-fixture.ts";

const h: StrataHarness = await connectStrata();
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;

const MiB = 1024 * 1024;

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 2);
  running = await startNodes(h, env.deployment, nodes, () => ({
    cache: { capacity: 3 * MiB, policy: "lru", ttlMs: 60_000 },
  }));
  // the second node dials the first: bitswap peers
  await running.restart(1, {
    p2p: { port: 0, peers: [running.nodes[0]!.multiaddrs[0]!] },
    cache: { capacity: 3 * MiB, policy: "lru", ttlMs: 60_000 },
  });
});
afterAll(async () => {
  await running?.stop();
});

interface CacheStats {
  cache: { entries: number; bytes: number; hits: number; misses: number; evictions: number };
  storage: { cachedBytes: number };
}

describe("hot cache", () => {
  test("a node reading a blob it does not hold fetches it from a peer, caches it and evicts by policy", async () => {
    const [holder, reader] = running.nodes;
    const blobs = [];
    for (const seed of [70, 71]) {
      const blob = await prepareBlob(randomBytes(2 * MiB, seed));
      const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[0]!], blob);
      expect((await putToNode(holder!.url, blobId, blob.data)).status).toBe(200);
      blobs.push(blob);
    }
    const [first, second] = blobs;
    const read = async (cid: string) =>
      Buffer.from(await (await fetch(`${reader!.url}/file/${cid}`)).arrayBuffer());
    const stats = async () => (await (await fetch(`${reader!.url}/stats`)).json()) as CacheStats;

    expect((await read(first!.cid)).equals(Buffer.from(first!.data))).toBe(true);
    expect((await stats()).cache).toMatchObject({ entries: 1, bytes: 2 * MiB, misses: 1, hits: 0 });
    expect((await read(first!.cid)).equals(Buffer.from(first!.data))).toBe(true);
    expect((await stats()).cache).toMatchObject({ entries: 1, hits: 1 });

    // the second blob does not fit beside the first: the least recently read goes
    expect((await read(second!.cid)).equals(Buffer.from(second!.data))).toBe(true);
    const after = await stats();
    expect(after.cache).toMatchObject({ entries: 1, bytes: 2 * MiB, evictions: 1 });
    expect(after.storage.cachedBytes).toBe(2 * MiB);
    const metrics = await (await fetch(`${reader!.url}/metrics`)).text();
    expect(metrics).toMatch(/^strata_node_cache_evictions_total 1$/m);
  });
});
