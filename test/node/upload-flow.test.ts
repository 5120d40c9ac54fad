import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BlobStatus } from "#protocol";
import type { StoreReply } from "../../api/node/index.ts";
import { certifyWith, prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
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
  nodes = await h.registerNodes(env.deployment, 3);
  running = await startNodes(h, env.deployment, nodes);
});
afterAll(async () => {
  await running?.stop();
});

describe("upload to three nodes, certify, read back", () => {
  test("each node stores, attests, and the market certifies with their attestations", async () => {
    const blob = await prepareBlob(randomBytes(3 * 1024 * 1024 + 12_345, 77));
    const owner = h.wallet(8);
    const blobId = await registerPrepared(h, env.deployment, owner, nodes, blob, { mimeType: "image/png" });
    const replies: StoreReply[] = [];
    for (const node of running.nodes) {
      const { status, json } = await putToNode(node.url, blobId, blob.data);
      expect(status, JSON.stringify(json)).toBe(200);
      replies.push(json as StoreReply);
    }
    expect(replies.map((r) => r.cid)).toEqual([blob.cid, blob.cid, blob.cid]);
    expect(replies.map((r) => r.commitment)).toEqual([blob.commitment, blob.commitment, blob.commitment]);
    await certifyWith(h, env.deployment, owner, blobId, replies);
    const stored = await env.as(owner).market.read.getBlob([blobId]);
    expect(stored.status).toBe(BlobStatus.certified);

    const response = await fetch(`${running.nodes[0]!.url}/file/${blob.cid}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("etag")).toBe(`"${blob.cid}"`);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(blob.data))).toBe(true);
  });
});
