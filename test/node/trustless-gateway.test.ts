// The trustless gateway as the spec (specs.ipfs.tech/http-gateways/trustless-gateway) has it, over
// real HTTP on real nodes: `entity-bytes` answers with only the blocks a byte range needs,
// `dag-scope`, the default media type, the headers and the 400s; the SDK's ranged read checks
// every block it gets and leaves a holder that tampers with one for the next; /stats and
// /metrics carry the node's account on chain.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { CarReader } from "@ipld/car";
import * as dagPb from "@ipld/dag-pb";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import {
  connectStrata,
  randomBytes,
  type StrataHarness,
  type TestNode,
} from "../../devnet/strata-fixture.ts";
import { stream } from "../../sdk/actions/stream.ts";
import { FetchFailedError, type NodeFailure, RangeNotSatisfiableError } from "../../sdk/index.ts";
import { startTamperingProxy } from "../helpers/tampering-proxy.ts";

const MIB = 1024 * 1024;
const SIZE = 3 * MIB + 12_345;

const h: StrataHarness = await connectStrata();
let env: Awaited<ReturnType<typeof h.deploy>>;
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;
let blob: Awaited<ReturnType<typeof prepareBlob>>;
/** The blob's leaves, in file order (1 MiB each, the last 12,345 bytes). */
let leaves: string[];
const url = () => running.nodes[0]!.url;

beforeAll(async () => {
  env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 2);
  running = await startNodes(h, env.deployment, nodes);
  blob = await prepareBlob(randomBytes(SIZE, 71));
  const blobId = await registerPrepared(h, env.deployment, h.wallet(8), nodes, blob);
  for (const node of running.nodes) expect((await putToNode(node.url, blobId, blob.data)).status).toBe(200);
  const root = await fetch(`${url()}/ipfs/${blob.cid}?format=raw`);
  leaves = dagPb.decode(new Uint8Array(await root.arrayBuffer())).Links.map((link) => link.Hash.toString());
  expect(leaves).toHaveLength(4);
});
afterAll(async () => {
  await running?.stop();
});

/** A GET (or HEAD) with exactly these headers (fetch would add `Accept: *\/*`). */
function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const request = httpRequest(new URL(path, url()), { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

async function carBlocks(body: Buffer) {
  const reader = await CarReader.fromBytes(body);
  const cids: string[] = [];
  for await (const block of reader.blocks()) cids.push(block.cid.toString());
  return { roots: (await reader.getRoots()).map(String), cids };
}

const code = (body: Buffer) => (JSON.parse(body.toString()) as { error: { code: string } }).error.code;

describe("entity-bytes over HTTP", () => {
  test.each([
    ["a range inside the second leaf", `${MIB + 5}:${MIB + 500}`, [1]],
    ["the first byte", "0:0", [0]],
    ["the last byte", "-1:*", [3]],
    ["across the boundary of the first two leaves", `${MIB - 1}:${MIB}`, [0, 1]],
    ["the last byte of a leaf", `${2 * MIB - 1}:${2 * MIB - 1}`, [1]],
    ["from the middle to the end", `${2 * MIB + 7}:*`, [2, 3]],
    ["the whole file", "0:*", [0, 1, 2, 3]],
    ["past the end (clamped)", `${3 * MIB}:${10 * MIB}`, [3]],
  ])("%s (%s): the root and just the leaves holding those bytes", async (_name, range, wanted) => {
    const response = await get(`/ipfs/${blob.cid}?format=car&entity-bytes=${range}`);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/vnd.ipld.car; version=1; order=dfs; dups=n");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["cache-control"]).toContain("immutable");
    expect(response.headers["content-disposition"]).toBe(`attachment; filename="${blob.cid}.car"`);
    expect(response.headers.etag).toMatch(new RegExp(`^"${blob.cid}\\.car\\.entity\\.\\d+-\\d+\\.dfs\\.n"$`));
    expect(response.headers["content-location"]).toBeUndefined();
    const { roots, cids } = await carBlocks(response.body);
    expect(roots).toEqual([blob.cid]);
    expect(cids).toEqual([blob.cid, ...wanted.map((i) => leaves[i])]);
  });

  test("a range holding none of the file's bytes is 400 NODE_ERR_RANGE; malformed ones 400 NODE_ERR_INVALID_QUERY", async () => {
    for (const range of [`${SIZE}:*`, `${SIZE + 10}:${SIZE + 20}`, `-${SIZE * 2}:-${SIZE + 1}`]) {
      const response = await get(`/ipfs/${blob.cid}?format=car&entity-bytes=${range}`);
      expect(response.status, range).toBe(400);
      expect(code(response.body)).toBe("NODE_ERR_RANGE");
    }
    for (const query of [
      "entity-bytes=10:5",
      "entity-bytes=abc",
      "entity-bytes=0:*&dag-scope=block",
      "dag-scope=dag",
      "car-version=2",
      "car-dups=x",
      "format=tar",
    ]) {
      const response = await get(
        `/ipfs/${blob.cid}?format=car&${query}`.replace("format=car&format", "format"),
      );
      expect(response.status, query).toBe(400);
      expect(code(response.body), query).toBe("NODE_ERR_INVALID_QUERY");
    }
  });
});

describe("dag-scope, the default media type and the headers", () => {
  test("dag-scope=block is the root alone; entity and all a file's whole DAG", async () => {
    const block = await carBlocks((await get(`/ipfs/${blob.cid}?format=car&dag-scope=block`)).body);
    expect(block.cids).toEqual([blob.cid]);
    for (const scope of ["entity", "all"]) {
      const response = await get(`/ipfs/${blob.cid}?format=car&dag-scope=${scope}`);
      expect(response.headers.etag).toBe(`"${blob.cid}.car.${scope}.dfs.n"`);
      expect((await carBlocks(response.body)).cids).toEqual([blob.cid, ...leaves]);
    }
  });

  test("no Accept, or */*: a CAR of the DAG, with Content-Location naming the format", async () => {
    for (const headers of [{}, { accept: "*/*" }]) {
      const response = await get(`/ipfs/${blob.cid}`, headers);
      expect(response.status).toBe(200);
      expect(response.headers["content-type"]).toBe("application/vnd.ipld.car; version=1; order=dfs; dups=n");
      expect(response.headers["content-location"]).toBe(`/ipfs/${blob.cid}?format=car`);
      expect(response.headers.vary).toBe("Accept");
      expect((await carBlocks(response.body)).cids).toEqual([blob.cid, ...leaves]);
    }
  });

  test("Accept picks raw or a CAR with duplicates; an Accept of other types alone is 406", async () => {
    const rawBlock = await get(`/ipfs/${leaves[0]}`, { accept: "application/vnd.ipld.raw" });
    expect(rawBlock.status).toBe(200);
    expect(rawBlock.headers["content-type"]).toBe("application/vnd.ipld.raw");
    expect(rawBlock.headers["content-disposition"]).toBe(`attachment; filename="${leaves[0]}.bin"`);
    expect(rawBlock.body.equals(Buffer.from(blob.data.subarray(0, MIB)))).toBe(true);
    const car = await get(`/ipfs/${blob.cid}`, {
      accept: "application/vnd.ipld.car; version=1; order=dfs; dups=y",
    });
    expect(car.headers["content-type"]).toBe("application/vnd.ipld.car; version=1; order=dfs; dups=y");
    const html = await get(`/ipfs/${blob.cid}`, { accept: "text/html" });
    expect(html.status).toBe(406);
    expect(code(html.body)).toBe("NODE_ERR_NOT_ACCEPTABLE");
  });

  test("HEAD sends the headers alone; If-None-Match with the ETag is a 304", async () => {
    const head = await get(`/ipfs/${blob.cid}?format=car&entity-bytes=0:10`, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toContain("application/vnd.ipld.car");
    expect(head.body.length).toBe(0);
    const etag = head.headers.etag as string;
    const again = await get(`/ipfs/${blob.cid}?format=car&entity-bytes=0:10`, { "if-none-match": etag });
    expect(again.status).toBe(304);
    const missing = await get(
      "/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy?format=car",
      {},
      "HEAD",
    );
    expect(missing.status).toBe(404);
  });

  test("the probe CID bafkqaaa: an empty raw block, a CAR with no blocks", async () => {
    const rawProbe = await get("/ipfs/bafkqaaa?format=raw");
    expect(rawProbe.status).toBe(200);
    expect(rawProbe.body.length).toBe(0);
    const carProbe = await get("/ipfs/bafkqaaa?format=car");
    expect(carProbe.status).toBe(200);
    expect(await carBlocks(carProbe.body)).toEqual({ roots: ["bafkqaaa"], cids: [] });
  });
});

describe("the SDK's ranged read", () => {
  const read = async (
    sources: { nodeId: number; endpoint: string }[],
    range?: { offset: number; length?: number },
    onFailure?: (failure: NodeFailure) => void,
  ) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream(
      { indexer: undefined as never },
      {
        cid: blob.cid,
        nodes: sources,
        ...(range ? { range } : {}),
        ...(onFailure ? { onFailure } : {}),
      },
    ))
      chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const holder = (i: number) => ({ nodeId: nodes[i]!.nodeId, endpoint: running.nodes[i]!.url });

  test("returns exactly the range, across leaves, at the edges and past the end", async () => {
    for (const range of [
      { offset: 0, length: 1 },
      { offset: MIB - 10, length: 20 },
      { offset: MIB + 100, length: 2 * MIB },
      { offset: SIZE - 1 },
      { offset: 3 * MIB, length: 1_000_000 },
      { offset: 5, length: 0 },
    ]) {
      const bytes = await read([holder(0)], range);
      const end = range.length === undefined ? SIZE : Math.min(SIZE, range.offset + range.length);
      expect(bytes.equals(Buffer.from(blob.data.subarray(range.offset, end))), JSON.stringify(range)).toBe(
        true,
      );
    }
    expect((await read([holder(1)])).equals(Buffer.from(blob.data))).toBe(true);
  });

  test("a holder that tampers with a block is caught; the next holder sends the rest of the range", async () => {
    const proxy = await startTamperingProxy(running.nodes[0]!.url);
    try {
      const failures: NodeFailure[] = [];
      const range = { offset: MIB - 10, length: MIB + 20 };
      const bytes = await read([{ nodeId: nodes[0]!.nodeId, endpoint: proxy.url }, holder(1)], range, (f) =>
        failures.push(f),
      );
      expect(proxy.tampered).toBe(1);
      expect(failures).toHaveLength(1);
      expect(failures[0]?.nodeId).toBe(nodes[0]!.nodeId);
      expect(failures[0]?.error).toMatch(/sent bad data: block .* does not match its hash/);
      expect(bytes.equals(Buffer.from(blob.data.subarray(MIB - 10, 2 * MIB + 10)))).toBe(true);

      // alone, the tampering holder's range never comes back
      const error = await read([{ nodeId: nodes[0]!.nodeId, endpoint: proxy.url }], range).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FetchFailedError);
      expect((error as FetchFailedError).message).toMatch(/sent bad data/);
    } finally {
      await proxy.close();
    }
  });

  test("a range holding none of the file's bytes is RangeNotSatisfiableError (checked against the root)", async () => {
    const error = await read([holder(0)], { offset: SIZE, length: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeNotSatisfiableError);
    expect((error as RangeNotSatisfiableError).size).toBe(SIZE);
  });

  test("the blocks of a ranged CAR are the paths to the range and nothing else", async () => {
    const response = await get(`/ipfs/${blob.cid}?format=car&entity-bytes=${MIB - 10}:${MIB + 9}&car-dups=y`);
    const reader = await CarReader.fromBytes(response.body);
    const kinds: number[] = [];
    for await (const block of reader.blocks()) kinds.push(CID.asCID(block.cid)?.code ?? -1);
    expect(kinds).toEqual([dagPb.code, raw.code, raw.code]);
  });
});

describe("/stats and /metrics carry the node's account on chain", () => {
  test("node id, standing, stake, signer gas and unclaimed pay; counters since startedAt", async () => {
    const stats = (await (await fetch(`${url()}/stats`)).json()) as {
      nodeId: number;
      startedAt: string;
      chain: Record<string, unknown>;
    };
    expect(stats.nodeId).toBe(nodes[0]!.nodeId);
    expect(Date.parse(stats.startedAt)).toBeLessThanOrEqual(Date.now());
    const minStake = await env.as(h.wallet(8)).registry.read.minStake();
    expect(stats.chain).toMatchObject({
      standing: "active",
      stale: false,
      error: null,
      jailed: false,
      missesInRow: 0,
      stake: minStake.toString(),
      minStake: minStake.toString(),
      signer: nodes[0]!.signer.address,
      unclaimedPay: "0",
    });
    expect(BigInt(stats.chain.signerGas as string)).toBeGreaterThan(0n);
    const metrics = await (await fetch(`${url()}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^strata_node_id ${nodes[0]!.nodeId}$`, "m"));
    expect(metrics).toMatch(/^strata_node_active 1$/m);
    const stake = /^strata_node_stake_base_units (\S+)$/m.exec(metrics)?.[1];
    expect(Number(stake)).toBe(Number(minStake));
    expect(metrics).toMatch(/^strata_node_signer_gas_wei \d/m);
    expect(metrics).toMatch(/^strata_node_unclaimed_pay_base_units 0$/m);
    expect(metrics).toMatch(
      new RegExp(
        `^strata_node_info\\{node_id="${nodes[0]!.nodeId}",signer="0x[0-9a-fA-F]{40}",standing="active"\\} 1$`,
        "m",
      ),
    );
  });
});
