import { withHTTP } from "@helia/http";
import { unixfs } from "@helia/unixfs";
import { CarWriter } from "@ipld/car/writer";
import { identify } from "@libp2p/identify";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createHelia, createHeliaLight } from "helia";
import { importByteStream } from "ipfs-unixfs-importer";
import { CID } from "multiformats/cid";
import { toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { treeRoot } from "#protocol";
import { nodeUrl } from "../../api/node/index.ts";
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

  test("a stock client's CAR (kubo's default layout: CIDv0, 256 KiB dag-pb leaves) uploads, and reads back", async () => {
    const data = randomBytes(2 * 1024 * 1024 + 777, 61);
    const blocks: { cid: CID; bytes: Uint8Array }[] = [];
    const recorder = {
      put: async (cid: CID, bytes: Uint8Array) => {
        blocks.push({ cid, bytes });
        return cid;
      },
    };
    // the stock importer as `ipfs add` runs it by default: no Strata option
    const { cid } = await importByteStream([data], recorder, { cidVersion: 0, rawLeaves: false });
    expect(cid.version).toBe(0);
    const { writer, out } = CarWriter.create([cid]);
    const car = collect(out);
    for (const block of blocks) await writer.put(block);
    await writer.close();
    const body = await car;

    const stock = {
      data,
      cid: cid.toString(),
      cidBytes: toHex(cid.bytes),
      commitment: toHex(treeRoot(data)),
      size: data.length,
    };
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), nodes, stock);
    const url = running.nodes[0]!.url;
    const refused = await fetch(`${url}${nodeUrl.store(blobId)}`, {
      method: "PUT",
      body: new Uint8Array(body.subarray(0, body.length - 10)),
      headers: { "content-type": "application/vnd.ipld.car" },
    });
    expect(refused.status).toBe(422);
    const stored = await fetch(`${url}${nodeUrl.store(blobId)}`, {
      method: "PUT",
      body: new Uint8Array(body),
      headers: { "content-type": "application/vnd.ipld.car" },
    });
    expect(stored.status).toBe(200);
    const reply = (await stored.json()) as { cid: string; commitment: string };
    expect(reply.cid).toBe(cid.toString());
    expect(reply.commitment).toBe(stock.commitment);
    const read = await fetch(`${url}${nodeUrl.file(cid.toString())}`);
    expect(read.status).toBe(200);
    expect(Buffer.from(await read.arrayBuffer()).equals(Buffer.from(data))).toBe(true);
  });
});
