import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { StoreReply } from "../../api/node/index.ts";
import {
  certifyWith,
  type PreparedBlob,
  prepareBlob,
  putToNode,
  registerPrepared,
} from "../../devnet/blob-upload.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import { connectStrata, nodeParams, randomBytes, type TestNode } from "../../devnet/strata-fixture.ts";
import { startTestIndexer, waitIndexed } from "../helpers/indexer-harness.ts";

const h = await connectStrata();
const { deployment } = await h.deploy();
const nodes = await h.registerNodes(deployment, 3);
let storage: Awaited<ReturnType<typeof startNodes>>;
let indexer: Awaited<ReturnType<typeof startTestIndexer>>;
let url: string;
const owner = h.wallet(8);
const other = h.wallet(9);
let photo: { blob: PreparedBlob; blobId: Hex };
let clip: { blob: PreparedBlob; blobId: Hex };
let pending: { blob: PreparedBlob; blobId: Hex };

/** Registers, uploads to every holder and certifies. */
async function store(
  holders: TestNode[],
  options: { name: string; mimeType: string; tags: string[] },
  seed: number,
) {
  const blob = await prepareBlob(randomBytes(3000 + seed, seed));
  const blobId = await registerPrepared(h, deployment, owner, holders, blob, options);
  const replies: StoreReply[] = [];
  for (const node of holders) {
    const index = nodes.indexOf(node);
    const { status, json } = await putToNode(storage.nodes[index]!.url, blobId, blob.data);
    expect(status).toBe(200);
    replies.push(json as StoreReply);
  }
  await certifyWith(h, deployment, owner, blobId, replies);
  return { blob, blobId };
}

beforeAll(async () => {
  storage = await startNodes(h, deployment, nodes.slice(0, 2));
  // the nodes tell the registry where they really listen
  for (const [index, node] of nodes.slice(0, 2).entries()) {
    const endpoint = storage.nodes[index]!.url;
    await h.wait(
      await node.as.registry.write.update([
        node.nodeId,
        nodeParams(node.signer.address, index, { endpoint }),
      ]),
    );
  }
  photo = await store(
    nodes.slice(0, 2),
    { name: "Holiday photo at the lake", mimeType: "image/png", tags: ["holiday", "lake"] },
    1,
  );
  clip = await store([nodes[0]!], { name: "Birthday clip", mimeType: "video/mp4", tags: ["birthday"] }, 2);
  const blob = await prepareBlob(randomBytes(500, 3));
  pending = {
    blob,
    blobId: await registerPrepared(h, deployment, other, [nodes[1]!], blob, {
      name: "draft notes",
      mimeType: "text/plain",
      tags: ["draft"],
    }),
  };
  indexer = await startTestIndexer(storage.rpcUrl, deployment, {
    health: { intervalMs: 100, timeoutMs: 1000 },
  });
  url = indexer.indexer.url;
  await waitIndexed(h, indexer.indexer);
  // every node answered a health round (the third has no server: it never answers)
  const deadline = Date.now() + 10_000;
  for (;;) {
    const body = (await (await fetch(`${url}/nodes`)).json()) as {
      nodes: { health: { checks: number } | null }[];
    };
    if (body.nodes.every((node) => (node.health?.checks ?? 0) > 0)) break;
    if (Date.now() > deadline) throw new Error("no health round in 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 120_000);

afterAll(async () => {
  await indexer?.stop();
  await storage?.stop();
});

const get = async (path: string) => {
  const response = await fetch(`${url}${path}`);
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & { error?: { code: string } },
  };
};

describe("GET /route/:cid", () => {
  test("names the holders with endpoint, tier, health and last proof; answering nodes first", async () => {
    const { status, body } = await get(`/route/${photo.blob.cid}`);
    expect(status).toBe(200);
    const route = body as unknown as {
      cid: string;
      blobs: string[];
      nodes: {
        nodeId: number;
        endpoint: string;
        tier: string;
        certified: boolean;
        health: { available: boolean; latencyMs: number };
      }[];
    };
    expect(route.cid).toBe(photo.blob.cid);
    expect(route.blobs).toEqual([photo.blobId]);
    expect(route.nodes.map((n) => n.nodeId).sort()).toEqual([nodes[0]!.nodeId, nodes[1]!.nodeId].sort());
    for (const node of route.nodes) {
      expect(node.endpoint).toBe(storage.nodes[nodes.findIndex((n) => n.nodeId === node.nodeId)]!.url);
      expect(node.tier).toBe("hot");
      expect(node.certified).toBe(true);
      expect(node.health.available).toBe(true);
      expect(node.health.latencyMs).toBeGreaterThan(0);
    }
    // the route really leads to the bytes
    const first = await fetch(`${route.nodes[0]!.endpoint}/file/${photo.blob.cid}`);
    expect(Buffer.from(await first.arrayBuffer()).equals(Buffer.from(photo.blob.data))).toBe(true);
  });

  test("a node that stops answering falls behind the ones that do", async () => {
    await storage.nodes[0]!.stop();
    await expect
      .poll(
        async () => {
          const { body } = await get(`/route/${photo.blob.cid}`);
          return (body.nodes as { nodeId: number; health: { available: boolean } }[]).map((n) => [
            n.nodeId,
            n.health.available,
          ]);
        },
        { timeout: 10_000 },
      )
      .toEqual([
        [nodes[1]!.nodeId, true],
        [nodes[0]!.nodeId, false],
      ]);
  });

  test("a registered but uncertified blob routes to its holder; a malformed CID is a 400, an unknown one a 404", async () => {
    const { status, body } = await get(`/route/${pending.blob.cid}`);
    expect(status).toBe(200);
    expect((body.nodes as { certified: boolean }[])[0]?.certified).toBe(false);
    const bad = await get("/route/not-a-cid");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("INDEXER_ERR_INVALID_QUERY");
    const unknown = await get("/route/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("INDEXER_ERR_NOT_FOUND");
  });
});

describe("GET /blobs and /blobs/:id", () => {
  const ids = async (query: string) => {
    const { status, body } = await get(`/blobs${query}`);
    expect(status, query).toBe(200);
    return (body.blobs as { blobId: string }[]).map((b) => b.blobId);
  };

  test("filters by owner, holder node, tag, MIME type, tier and status", async () => {
    expect(await ids(`?owner=${owner.account.address}`)).toEqual([clip.blobId, photo.blobId]);
    expect(await ids(`?owner=${other.account.address.toLowerCase()}`)).toEqual([pending.blobId]);
    expect(await ids("?tag=holiday")).toEqual([photo.blobId]);
    expect(await ids("?mimeType=video/mp4")).toEqual([clip.blobId]);
    expect(await ids("?tier=cold")).toEqual([]);
    expect(await ids("?status=certified")).toEqual([clip.blobId, photo.blobId]);
    expect(await ids("?status=registered")).toEqual([pending.blobId]);
    expect(await ids("?tier=hot&tag=birthday&status=certified")).toEqual([clip.blobId]);
    expect(await ids(`?node=${nodes[0]!.nodeId}`)).toEqual([clip.blobId, photo.blobId]);
    expect(await ids(`?node=${nodes[1]!.nodeId}`)).toEqual([pending.blobId, photo.blobId]);
  });

  test("pages newest first with `next`", async () => {
    const seen: string[] = [];
    let after = "";
    for (let page = 0; page < 5; page += 1) {
      const { body } = await get(`/blobs?limit=1${after ? `&after=${after}` : ""}`);
      seen.push(...(body.blobs as { blobId: string }[]).map((b) => b.blobId));
      if (!body.next) break;
      after = body.next as string;
    }
    expect(seen).toEqual([pending.blobId, clip.blobId, photo.blobId]);
  });

  test("one blob in full: holders, certificate, payments", async () => {
    const { status, body } = await get(`/blobs/${photo.blobId}`);
    expect(status).toBe(200);
    expect(body.status).toBe("certified");
    expect(body.name).toBe("Holiday photo at the lake");
    expect(body.tags).toEqual(["holiday", "lake"]);
    expect((body.holders as { enrolled: boolean }[]).every((holder) => holder.enrolled)).toBe(true);
    expect((body.certificates as unknown[]).length).toBe(1);
    expect((body.payments as { kind: string }[]).map((p) => p.kind)).toEqual(["escrow"]);
  });

  test("bad queries are 400s with stable codes; unknown ids are 404s", async () => {
    for (const query of [
      "?owner=0x123",
      "?limit=0",
      "?limit=1000",
      "?limit=many",
      "?tier=warm",
      "?status=lost",
      "?after=0x12",
      "?colour=blue",
    ]) {
      const { status, body } = await get(`/blobs${query}`);
      expect(status, query).toBe(400);
      expect(body.error?.code, query).toBe("INDEXER_ERR_VALIDATION");
    }
    const unknownAfter = await get(`/blobs?after=0x${"ab".repeat(32)}`);
    expect(unknownAfter.status).toBe(400);
    expect(unknownAfter.body.error?.code).toBe("INDEXER_ERR_INVALID_QUERY");
    expect((await get("/blobs/0x1234")).status).toBe(400);
    const unknown = await get(`/blobs/0x${"cd".repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("INDEXER_ERR_NOT_FOUND");
  });
});

describe("GET /search", () => {
  const names = async (q: string) => {
    const { status, body } = await get(`/search?q=${encodeURIComponent(q)}`);
    expect(status, q).toBe(200);
    return (body.results as { name: string }[]).map((r) => r.name);
  };

  test("finds blobs by words of their name, tags and MIME type, prefixes included", async () => {
    expect(await names("holiday")).toEqual(["Holiday photo at the lake"]);
    expect(await names("lak")).toEqual(["Holiday photo at the lake"]);
    expect(await names("birthday mp4")).toEqual(["Birthday clip"]);
    expect(await names("draft")).toEqual(["draft notes"]);
    expect(await names("nothing-like-this")).toEqual([]);
  });

  test("search syntax in the query is taken as plain words, never an error", async () => {
    for (const q of ['"unbalanced', "holiday OR", "NEAR(a b)", "lake*", "-lake", "photo AND (lake"]) {
      const { status } = await get(`/search?q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(200);
    }
  });

  test("an empty or missing query is a 400", async () => {
    expect((await get("/search?q=")).status).toBe(400);
    expect((await get("/search")).status).toBe(400);
    const punctuation = await get(`/search?q=${encodeURIComponent("!!! ???")}`);
    expect(punctuation.status).toBe(400);
    expect(punctuation.body.error?.code).toBe("INDEXER_ERR_INVALID_QUERY");
  });
});

describe("GET /nodes and /nodes/:id", () => {
  test("every node with stake, standing and health; one node with its history", async () => {
    const { body } = await get("/nodes");
    const list = body.nodes as {
      nodeId: number;
      status: string;
      stake: string;
      health: { available: boolean };
    }[];
    expect(list.map((n) => n.nodeId)).toEqual(nodes.map((n) => n.nodeId));
    expect(list.every((n) => n.status === "active")).toBe(true);
    expect(list[2]?.health.available).toBe(false); // registered, but nothing listens at its endpoint
    const one = await get(`/nodes/${nodes[1]!.nodeId}`);
    expect(one.status).toBe(200);
    expect(one.body.blobs).toBe(2);
    expect((one.body.recentPayments as { kind: string }[]).map((p) => p.kind)).toContain("stake");
  });

  test("bad and unknown ids", async () => {
    expect((await get("/nodes/0")).status).toBe(400);
    expect((await get("/nodes/abc")).status).toBe(400);
    const unknown = await get("/nodes/999");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("INDEXER_ERR_NOT_FOUND");
  });
});

describe("GET /periods", () => {
  test("stored bytes and blobs per period from certification to the end of the term, oldest first; bad limits are 400s", async () => {
    const { status, body } = await get("/periods?limit=5");
    expect(status).toBe(200);
    const periods = body.periods as { period: number; blobs: number; storedBytes: number; proofs: number }[];
    expect(periods.length).toBeGreaterThan(0);
    expect(periods.length).toBeLessThanOrEqual(5);
    expect(periods.at(-1)?.period).toBe(body.current);
    expect(periods.map((p) => p.period)).toEqual([...periods.map((p) => p.period)].sort((a, b) => a - b));
    const terms = await Promise.all(
      [photo, clip].map(async ({ blobId, blob }) => {
        const detail = (await get(`/blobs/${blobId}`)).body as { startPeriod: number; endPeriod: number };
        return { ...detail, size: blob.size };
      }),
    );
    for (const p of periods) {
      // held from the period of certification, the one before the paid term
      const live = terms.filter((t) => t.startPeriod - 1 <= p.period && p.period < t.endPeriod);
      expect({ period: p.period, blobs: p.blobs, bytes: p.storedBytes }).toEqual({
        period: p.period,
        blobs: live.length,
        bytes: live.reduce((n, t) => n + t.size, 0),
      });
    }
    expect((await get("/periods?limit=0")).status).toBe(400);
    expect((await get("/periods?limit=1001")).status).toBe(400);
    expect((await get("/periods?limit=5&before=0")).status).toBe(400);
  });
});

describe("status", () => {
  test("/stats, /health, /metrics and the OpenAPI document", async () => {
    const stats = await get("/stats");
    expect(stats.status).toBe(200);
    expect(stats.body.indexedBlock).toBe(Number(await h.publicClient.getBlockNumber()));
    expect(stats.body.lag).toBe(0);
    expect((stats.body.rows as Record<string, number>).blobs).toBe(3);
    expect((stats.body.rows as Record<string, number>).route_hits).toBeGreaterThan(0);
    expect((await get("/health")).body.status).toBe("ok");
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/strata_indexer_indexed_block \d+/);
    const openapi = (await (await fetch(`${url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        "/route/{cid}",
        "/blobs",
        "/blobs/{id}",
        "/search",
        "/nodes",
        "/nodes/{id}",
        "/periods",
        "/stats",
      ]),
    );
    expect((await get("/no/such/route")).body.error?.code).toBe("INDEXER_ERR_NO_ROUTE");
  });

  test("through app.inject as over the network", async () => {
    const reply = await indexer.indexer.app.inject({ method: "GET", url: `/blobs/${clip.blobId}` });
    expect(reply.statusCode).toBe(200);
    expect(reply.json().name).toBe("Birthday clip");
  });
});
