import { withHTTP } from "@helia/http";
import { unixfs } from "@helia/unixfs";
import { identify } from "@libp2p/identify";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createHelia, createHeliaLight } from "helia";
import { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import {
  connectStrata,
  randomBytes,
  type StrataHarness,
  type TestNode,
} from "../../devnet/strata-fixture.ts";

// Software nobody here wrote, fetching from a Strata node: a stock Helia over libp2p bitswap, and
// Helia's trustless-gateway client (which checks every block against its CID) over HTTP.
const h: StrataHarness = await connectStrata();
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;
let blob: Awaited<ReturnType<typeof prepareBlob>>;

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 1);
  running = await startNodes(h, env.deployment, nodes);
  blob = await prepareBlob(randomBytes(3 * 1024 * 1024 + 4321, 60));
  const blobId = await registerPrepared(h, env.deployment, h.wallet(8), nodes, blob);
  expect((await putToNode(running.nodes[0]!.url, blobId, blob.data)).status).toBe(200);
});
afterAll(async () => {
  await running?.stop();
});

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

describe("interop", () => {
  test("a stock Helia node fetches the blob over bitswap, byte for byte", async () => {
    // createHelia as shipped, told only to stay on loopback TCP and off the public network
    const stock = await createHelia({
      libp2p: {
        addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
        transports: [tcp()],
        peerDiscovery: [],
        services: { identify: identify() },
      },
      http: { delegatedRouters: [], recursiveGateways: [] },
    } as Parameters<typeof createHelia>[0]);
    await stock.start();
    try {
      await stock.libp2p.dial(multiaddr(running.nodes[0]!.multiaddrs[0]!));
      const bytes = await collect(
        unixfs(stock).cat(CID.parse(blob.cid), { signal: AbortSignal.timeout(30_000) }),
      );
      expect(bytes.equals(Buffer.from(blob.data))).toBe(true);
    } finally {
      await stock.stop();
    }
  });

  test("Helia's trustless-gateway client fetches and verifies the blob from GET /ipfs/:cid", async () => {
    // Helia's routing never finishes a lookup when only fallback routers exist (it waits for a
    // default router to end): an empty default router works around that
    const noRouter = { name: "none", findProviders: async function* () {} };
    const client = withHTTP(createHeliaLight({ routers: [noRouter as never] }), {
      delegatedRouters: [],
      recursiveGateways: [running.nodes[0]!.url],
      allowInsecure: true,
      allowLocal: true,
    });
    await client.start();
    try {
      const bytes = await collect(
        unixfs(client).cat(CID.parse(blob.cid), { signal: AbortSignal.timeout(30_000) }),
      );
      expect(bytes.equals(Buffer.from(blob.data))).toBe(true);
    } finally {
      await client.stop();
    }
  });
});
