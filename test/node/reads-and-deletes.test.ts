import { createHash, randomBytes as randomNonce } from "node:crypto";
import { CarReader } from "@ipld/car";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { type Hex, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deleteRequestTypedData } from "#protocol";
import type { StoreReply } from "../../api/node/index.ts";
import {
  certifyWith,
  type PreparedBlob,
  prepareBlob,
  putToNode,
  registerPrepared,
} from "../../devnet/blob-upload.ts";
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
const url = () => running.nodes[0]!.url;
const owner = () => h.wallet(8);

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 1);
  running = await startNodes(h, env.deployment, nodes);
});
afterAll(async () => {
  await running?.stop();
});

async function stored(size: number, seed: number, options: { certify?: boolean; mimeType?: string } = {}) {
  const blob = await prepareBlob(randomBytes(size, seed));
  const blobId = await registerPrepared(h, env.deployment, owner(), nodes, blob, options);
  const { status, json } = await putToNode(url(), blobId, blob.data);
  expect(status).toBe(200);
  if (options.certify) await certifyWith(h, env.deployment, owner(), blobId, [json as StoreReply]);
  return { blob, blobId };
}

const code = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code;

describe("GET /file/:id", () => {
  let blob: PreparedBlob;
  beforeAll(async () => {
    ({ blob } = await stored(2_500_000, 11, { mimeType: "video/mp4" }));
  });

  test("streams the whole blob with its headers", async () => {
    const response = await fetch(`${url()}/file/${blob.cid}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(blob.size));
    expect(response.headers.get("content-type")).toBe("video/mp4");
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(blob.data))).toBe(true);
  });

  test("serves single ranges, across chunk boundaries too", async () => {
    for (const [range, start, end] of [
      ["bytes=0-0", 0, 0],
      ["bytes=1048570-1048600", 1048570, 1048600],
      ["bytes=2000000-", 2000000, blob.size - 1],
      ["bytes=-100", blob.size - 100, blob.size - 1],
    ] as const) {
      const response = await fetch(`${url()}/file/${blob.cid}`, { headers: { range } });
      expect(response.status, range).toBe(206);
      expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/${blob.size}`);
      expect(response.headers.get("content-length")).toBe(String(end - start + 1));
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.equals(Buffer.from(blob.data.subarray(start, end + 1))), range).toBe(true);
    }
  });

  test("HEAD answers the headers without a body; a matching ETag gets 304", async () => {
    const head = await fetch(`${url()}/file/${blob.cid}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(blob.size));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const etag = head.headers.get("etag") as string;
    expect(etag).toBe(`"${blob.cid}"`);
    const again = await fetch(`${url()}/file/${blob.cid}`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  test("hands every block buffer back once a read is done, or cut short by the client", async () => {
    const buffers = async () =>
      ((await (await fetch(`${url()}/stats`)).json()) as { buffers: { inUse: number; free: number } })
        .buffers;
    const whole = await fetch(`${url()}/file/${blob.cid}`);
    await whole.arrayBuffer();
    expect((await buffers()).inUse).toBe(0);
    expect((await buffers()).free).toBeGreaterThan(0);

    // a client that reads one chunk and hangs up
    const controller = new AbortController();
    const partial = await fetch(`${url()}/file/${blob.cid}`, { signal: controller.signal });
    const reader = partial.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await expect.poll(async () => (await buffers()).inUse, { timeout: 5000 }).toBe(0);
    // and the node still serves the blob whole
    const again = Buffer.from(await (await fetch(`${url()}/file/${blob.cid}`)).arrayBuffer());
    expect(again.equals(Buffer.from(blob.data))).toBe(true);
  });

  test("through app.inject as over the network", async () => {
    const reply = await running.nodes[0]!.app.inject({
      method: "GET",
      url: `/file/${blob.cid}`,
      headers: { range: "bytes=5-9" },
    });
    expect(reply.statusCode).toBe(206);
    expect(reply.rawPayload.equals(Buffer.from(blob.data.subarray(5, 10)))).toBe(true);
  });
});

describe("GET /ipfs/:cid (trustless gateway)", () => {
  test("a raw block verifies against its CID; a CAR holds the whole DAG", async () => {
    const { blob } = await stored(3 * 1024 * 1024 + 7, 12);
    const root = CID.parse(blob.cid);
    const rawResponse = await fetch(`${url()}/ipfs/${blob.cid}`, {
      headers: { accept: "application/vnd.ipld.raw" },
    });
    expect(rawResponse.status).toBe(200);
    expect(rawResponse.headers.get("content-type")).toBe("application/vnd.ipld.raw");
    const rootBytes = new Uint8Array(await rawResponse.arrayBuffer());
    expect((await sha256.digest(rootBytes)).digest).toEqual(root.multihash.digest);

    const carResponse = await fetch(`${url()}/ipfs/${blob.cid}?format=car`);
    expect(carResponse.status).toBe(200);
    expect(carResponse.headers.get("content-type")).toContain("application/vnd.ipld.car");
    const reader = await CarReader.fromBytes(new Uint8Array(await carResponse.arrayBuffer()));
    expect((await reader.getRoots()).map(String)).toEqual([blob.cid]);
    const leaves: Uint8Array[] = [];
    for await (const { cid, bytes } of reader.blocks()) {
      expect(createHash("sha256").update(bytes).digest().equals(Buffer.from(cid.multihash.digest))).toBe(
        true,
      );
      if (cid.code === 0x55) leaves.push(bytes);
    }
    expect(Buffer.concat(leaves).equals(Buffer.from(blob.data))).toBe(true);
  });

  test("unknown CIDs are 404s", async () => {
    const response = await fetch(
      `${url()}/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy?format=raw`,
    );
    expect(response.status).toBe(404);
    expect(await code(response)).toBe("NODE_ERR_NOT_FOUND");
  });
});

describe("DELETE /file/:id", () => {
  async function signDelete(
    blobId: Hex,
    options: { expiry?: number; signer?: ReturnType<StrataHarness["wallet"]> } = {},
  ) {
    const expiry = options.expiry ?? Math.floor(Date.now() / 1000) + 600;
    const nonce = toHex(randomNonce(32));
    const signer = options.signer ?? owner();
    const signature = await signer.signTypedData({
      ...deleteRequestTypedData(env.deployment.chainId, env.deployment.contracts.market, {
        blobId,
        expiry: BigInt(expiry),
        nonce,
      }),
      account: signer.account,
    });
    return { blobId, expiry, nonce, signature };
  }
  const del = (cid: string, body: object) =>
    fetch(`${url()}/file/${cid}`, {
      method: "DELETE",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });

  test("the owner's signed request drops an uncertified copy, once", async () => {
    const { blob, blobId } = await stored(5000, 13);
    const request = await signDelete(blobId);
    const response = await del(blob.cid, request);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ cid: blob.cid, released: [blobId], evicted: false });
    expect((await fetch(`${url()}/file/${blob.cid}`)).status).toBe(404);
    const replay = await del(blob.cid, request);
    expect(replay.status).toBe(404);
  });

  test("a replayed nonce, another signer, other typed data, an expired or far-future request are refused, each with its code", async () => {
    const { blob, blobId } = await stored(6000, 14);
    const refusal = async (body: object) => {
      const response = await del(blob.cid, body);
      return [response.status, await code(response)];
    };
    // another account's key, saying so: the signer is not the owner
    const stranger = h.wallet(9);
    const signedByStranger = await signDelete(blobId, { signer: stranger });
    expect(await refusal({ ...signedByStranger, signer: stranger.account.address })).toEqual([
      401,
      "NODE_ERR_DELETE_SIGNER",
    ]);
    // without `signer`, a wrong key and wrong typed data look alike: the signer code
    expect(await refusal(signedByStranger)).toEqual([401, "NODE_ERR_DELETE_SIGNER"]);
    // the owner's key over other typed data (another chain id, another type): not the node's DeleteRequest
    const expiry = Math.floor(Date.now() / 1000) + 600;
    const nonce = toHex(randomNonce(32));
    const typed = deleteRequestTypedData(env.deployment.chainId, env.deployment.contracts.market, {
      blobId,
      expiry: BigInt(expiry),
      nonce,
    });
    const otherChain = await owner().signTypedData({
      ...typed,
      domain: { ...typed.domain, chainId: env.deployment.chainId + 1 },
      account: owner().account,
    });
    const otherType = await owner().signTypedData({
      domain: typed.domain,
      types: { Delete: typed.types.DeleteRequest },
      primaryType: "Delete",
      message: typed.message,
      account: owner().account,
    });
    for (const signature of [otherChain, otherType]) {
      expect(await refusal({ blobId, expiry, nonce, signature, signer: owner().account.address })).toEqual([
        401,
        "NODE_ERR_DELETE_TYPED_DATA",
      ]);
    }
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(await signDelete(blobId, { expiry: now - 1 }))).toEqual([
      401,
      "NODE_ERR_REQUEST_EXPIRED",
    ]);
    expect(await refusal(await signDelete(blobId, { expiry: now + 86_400 }))).toEqual([
      401,
      "NODE_ERR_REQUEST_EXPIRED",
    ]);
    expect(await refusal({ ...(await signDelete(blobId)), signature: "0x1234" })).toEqual([
      401,
      "NODE_ERR_INVALID_SIGNATURE",
    ]);
    expect(await refusal({ blobId, expiry: now + 60 })).toEqual([401, "NODE_ERR_INVALID_SIGNATURE"]);
    let response: Response;
    response = await del(blob.cid, { blobId, nonce: "0x12" });
    expect(response.status).toBe(400);
    expect(await code(response)).toBe("NODE_ERR_VALIDATION");
    // a nonce honoured once is never honoured again, even for another blob of the same owner
    const other = await stored(6001, 15);
    const first = await signDelete(other.blobId);
    expect((await del(other.blob.cid, first)).status).toBe(200);
    const { blob: third, blobId: thirdId } = await stored(6002, 16);
    const reused = { ...(await signDelete(thirdId)), nonce: first.nonce };
    const signature = await owner().signTypedData({
      ...deleteRequestTypedData(env.deployment.chainId, env.deployment.contracts.market, {
        blobId: thirdId,
        expiry: BigInt(reused.expiry),
        nonce: reused.nonce as Hex,
      }),
      account: owner().account,
    });
    response = await del(third.cid, { ...reused, signature });
    expect(response.status).toBe(409);
    expect(await code(response)).toBe("NODE_ERR_REPLAYED");
    expect((await fetch(`${url()}/file/${blob.cid}`)).status).toBe(200);
  });

  test("a certified, live blob is kept until the chain deletes it; then no signature is needed", async () => {
    const { blob, blobId } = await stored(7000, 17, { certify: true });
    let response = await del(blob.cid, await signDelete(blobId));
    expect(response.status).toBe(409);
    expect(await code(response)).toBe("NODE_ERR_BLOB_LIVE");
    response = await del(blob.cid, { blobId });
    expect(response.status).toBe(401);
    expect(await code(response)).toBe("NODE_ERR_SIGNATURE_REQUIRED");
    await h.wait(await env.as(owner()).market.write.deleteBlob([blobId]));
    response = await del(blob.cid, { blobId });
    // the node's watcher may have released it already on seeing BlobDeleted
    expect([200, 404]).toContain(response.status);
    expect((await fetch(`${url()}/file/${blob.cid}`)).status).toBe(404);
  });
});

describe("status", () => {
  test("/stats, /health, /metrics and the OpenAPI document", async () => {
    const stats = (await (await fetch(`${url()}/stats`)).json()) as Record<string, Record<string, number>>;
    expect(stats.storage?.heldBytes).toBeGreaterThan(0);
    expect(stats.uploads?.count).toBeGreaterThan(0);
    expect(stats.reads?.count).toBeGreaterThan(0);
    const health = await fetch(`${url()}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", nodeId: nodes[0]!.nodeId });
    const metrics = await fetch(`${url()}/metrics`);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    const text = await metrics.text();
    expect(text).toMatch(/^strata_node_uploads_total \d+$/m);
    expect(text).toMatch(/^# TYPE strata_node_held_bytes gauge$/m);
    const openapi = (await (await fetch(`${url()}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(["/store", "/file/{id}", "/ipfs/{cid}", "/stats", "/health", "/metrics"]),
    );
  });
});
