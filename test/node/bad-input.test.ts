import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "viem";
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

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 2);
  running = await startNodes(h, env.deployment, nodes, () => ({
    storage: { max: 64 * 1024 * 1024, gcWatermark: 90, gcPeriodMs: 60_000, maxUploadBytes: 4 * 1024 * 1024 },
  }));
});
afterAll(async () => {
  await running?.stop();
});

/** Every block file in a node's blockstore. */
async function blockFiles(index: number): Promise<string[]> {
  const root = join(running.configs[index]!.dataDir, "blocks");
  const files: string[] = [];
  for (const dir of await readdir(root)) {
    for (const file of await readdir(join(root, dir)).catch(() => [])) files.push(`${dir}/${file}`);
  }
  return files.sort();
}

const code = (json: unknown) => (json as { error: { code: string } }).error.code;

describe("PUT /store refuses bad uploads and leaves nothing behind", () => {
  test("a malformed blob id", async () => {
    const { status, json } = await putToNode(
      running.nodes[0]!.url,
      "0x1234" as `0x${string}`,
      new Uint8Array(10),
    );
    expect(status).toBe(400);
    expect(code(json)).toBe("NODE_ERR_VALIDATION");
  });

  test("a blob id no registration has", async () => {
    const { status, json } = await putToNode(
      running.nodes[0]!.url,
      toHex(new Uint8Array(32).fill(7)),
      new Uint8Array(10),
    );
    expect(status).toBe(403);
    expect(code(json)).toBe("NODE_ERR_BLOB_NOT_REGISTERED");
  });

  test("a registration that names other nodes", async () => {
    const blob = await prepareBlob(randomBytes(5000, 1));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[1]!], blob);
    const { status, json } = await putToNode(running.nodes[0]!.url, blobId, blob.data);
    expect(status).toBe(403);
    expect(code(json)).toBe("NODE_ERR_BLOB_NOT_REGISTERED");
  });

  test("other bytes of the right size, more bytes, fewer bytes", async () => {
    const before = await blockFiles(0);
    const blob = await prepareBlob(randomBytes(2 * 1024 * 1024 + 100, 2));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[0]!], blob);
    const url = running.nodes[0]!.url;

    const tampered = blob.data.slice();
    tampered[1_500_000] = (tampered[1_500_000] as number) ^ 1;
    let reply = await putToNode(url, blobId, tampered);
    expect(reply.status).toBe(422);
    expect(code(reply.json)).toBe("NODE_ERR_CONTENT_MISMATCH");

    reply = await putToNode(url, blobId, Buffer.concat([blob.data, Uint8Array.of(1)]));
    expect(reply.status).toBe(422);
    expect(code(reply.json)).toBe("NODE_ERR_CONTENT_MISMATCH");

    reply = await putToNode(url, blobId, blob.data.subarray(0, blob.size - 1));
    expect(reply.status).toBe(400);
    expect(code(reply.json)).toBe("NODE_ERR_TRUNCATED");

    reply = await putToNode(url, blobId, new Uint8Array(0));
    expect(reply.status).toBe(400);
    expect(code(reply.json)).toBe("NODE_ERR_TRUNCATED");

    expect(await blockFiles(0)).toEqual(before);
    const missing = await fetch(`${url}/file/${blob.cid}`);
    expect(missing.status).toBe(404);
    // and the right bytes are still accepted afterwards
    reply = await putToNode(url, blobId, blob.data);
    expect(reply.status).toBe(200);
  });

  test("a body over the node's upload limit, declared or streamed", async () => {
    const blob = await prepareBlob(randomBytes(5 * 1024 * 1024, 3));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[0]!], blob);
    const before = await blockFiles(0);
    const declared = await putToNode(running.nodes[0]!.url, blobId, blob.data);
    expect(declared.status).toBe(413);
    expect(code(declared.json)).toBe("NODE_ERR_TOO_LARGE");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < blob.size; offset += 1 << 20)
          controller.enqueue(blob.data.subarray(offset, offset + (1 << 20)));
        controller.close();
      },
    });
    const streamed = await putToNode(running.nodes[0]!.url, blobId, stream);
    expect(streamed.status).toBe(413);
    expect(code(streamed.json)).toBe("NODE_ERR_TOO_LARGE");
    expect(await blockFiles(0)).toEqual(before);
  });

  test("an upload past StorageMax", async () => {
    const blob = await prepareBlob(randomBytes(1000, 4));
    // the registration claims the size; the node refuses before reading a byte
    const big = { ...blob, size: 70 * 1024 * 1024 };
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[1]!], big);
    const { status, json } = await putToNode(running.nodes[1]!.url, blobId, blob.data);
    expect(status).toBe(507);
    expect(code(json)).toBe("NODE_ERR_STORAGE_FULL");
  });

  test("a blob that was deleted on chain takes no upload", async () => {
    const blob = await prepareBlob(randomBytes(4000, 5));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[0]!], blob);
    await h.wait(await env.as(h.wallet(8)).market.write.deleteBlob([blobId]));
    const { status, json } = await putToNode(running.nodes[0]!.url, blobId, blob.data);
    expect(status).toBe(409);
    expect(code(json)).toBe("NODE_ERR_BLOB_NOT_OPEN");
  });
});

describe("reads refuse bad requests", () => {
  test("malformed and unknown ids, bad ranges, unknown routes", async () => {
    const blob = await prepareBlob(randomBytes(10_000, 6));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), [nodes[0]!], blob);
    expect((await putToNode(running.nodes[0]!.url, blobId, blob.data)).status).toBe(200);
    const url = running.nodes[0]!.url;
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });

    let response = await get("/file/not-a-cid");
    expect(response.status).toBe(400);
    expect(code(await response.json())).toBe("NODE_ERR_INVALID_ID");

    response = await get("/file/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    expect(response.status).toBe(404);
    expect(code(await response.json())).toBe("NODE_ERR_NOT_FOUND");

    for (const range of ["bytes=10000-", "bytes=0-1,5-9", "bytes=9-2", "pages=1-2"]) {
      response = await get(`/file/${blob.cid}`, { range });
      expect(response.status, range).toBe(416);
      expect(response.headers.get("content-range")).toBe("bytes */10000");
      expect(code(await response.json())).toBe("NODE_ERR_RANGE");
    }

    // the trustless gateway: an Accept of other types alone is a 406, a format it does not serve a 400
    response = await get(`/ipfs/${blob.cid}`, { accept: "text/html" });
    expect(response.status).toBe(406);
    expect(code(await response.json())).toBe("NODE_ERR_NOT_ACCEPTABLE");
    response = await get(`/ipfs/${blob.cid}?format=tar`);
    expect(response.status).toBe(400);
    expect(code(await response.json())).toBe("NODE_ERR_INVALID_QUERY");

    response = await get("/nowhere");
    expect(response.status).toBe(404);
    expect(code(await response.json())).toBe("NODE_ERR_NO_ROUTE");
  });
});
