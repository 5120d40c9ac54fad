// Two owners store the same bytes (one CID) on the same node: both uploads are taken in and
// attested, and releasing one blob keeps the bytes the other still holds.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { StoreReply } from "../../api/node/index.ts";
import { certifyWith, prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import {
  connectStrata,
  randomBytes,
  type StrataHarness,
  type TestNode,
} from "../../devnet/strata-fixture.ts";
import { until } from "../helpers/wait-until.ts";

const h: StrataHarness = await connectStrata();
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 1);
  running = await startNodes(h, env.deployment, nodes);
});
afterAll(async () => {
  await running?.stop();
});

describe("the same bytes in two blobs on one node", () => {
  test("both uploads are attested; deleting one leaves the other readable", async () => {
    const blob = await prepareBlob(randomBytes(2 * 1024 * 1024 + 7, 5));
    const url = running.nodes[0]!.url;
    const owners = [h.wallet(8), h.wallet(9)];
    const ids: `0x${string}`[] = [];
    for (const owner of owners) {
      const blobId = await registerPrepared(h, env.deployment, owner, nodes, blob);
      const { status, json } = await putToNode(url, blobId, blob.data);
      expect(status, JSON.stringify(json)).toBe(200);
      await certifyWith(h, env.deployment, owner, blobId, [json as StoreReply]);
      ids.push(blobId);
    }
    await h.wait(await env.as(owners[0]!).market.write.deleteBlob([ids[0]!]));
    await until("the first blob released", async () => {
      await h.networkHelpers.mine(1);
      const stats = (await (await fetch(`${url}/stats`)).json()) as { storage: { pinnedBlobs: number } };
      return stats.storage.pinnedBlobs === 1;
    });
    const response = await fetch(`${url}/file/${blob.cid}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(blob.data))).toBe(true);
  });
});
