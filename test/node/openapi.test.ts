// The OpenAPI documents a storage node and the indexer serve at /docs/json, read as a client
// written from them alone would: every route lists every error code it can answer (at its status,
// in the error envelope, named in the description), request bodies are declared (PUT /store's
// two media types), replies that are bytes are declared as bytes, never as JSON; and real refusals
// of both servers carry codes their route's document lists.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ErrorCodeInfo } from "../../api/error-envelope.ts";
import { statusesOf } from "../../api/error-envelope.ts";
import { INDEXER_ERRORS } from "../../api/indexer/index.ts";
import { NODE_ERRORS } from "../../api/node/index.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import { connectStrata } from "../../devnet/strata-fixture.ts";
import { startTestIndexer } from "../helpers/indexer-harness.ts";

interface Media {
  schema?: Schema;
}
interface Schema {
  type?: string;
  format?: string;
  enum?: string[];
  properties?: Record<string, Schema>;
}
interface Reply {
  description: string;
  content?: Record<string, Media>;
}
interface Operation {
  parameters?: unknown[];
  requestBody?: { required?: boolean; content: Record<string, Media> };
  responses: Record<string, Reply>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

const h = await connectStrata();
const { deployment } = await h.deploy();
const nodes = await h.registerNodes(deployment, 1);
let storage: Awaited<ReturnType<typeof startNodes>>;
let indexer: Awaited<ReturnType<typeof startTestIndexer>>;
const docs: Record<"node" | "indexer", { url: string; doc: OpenApi }> = {
  node: { url: "", doc: { paths: {} } },
  indexer: { url: "", doc: { paths: {} } },
};

beforeAll(async () => {
  storage = await startNodes(h, deployment, nodes);
  indexer = await startTestIndexer(storage.rpcUrl, deployment);
  docs.node.url = storage.nodes[0]?.url as string;
  docs.indexer.url = indexer.indexer.url;
  for (const server of Object.values(docs)) {
    const response = await fetch(`${server.url}/docs/json`);
    expect(response.status).toBe(200);
    server.doc = (await response.json()) as OpenApi;
  }
}, 120_000);

afterAll(async () => {
  await indexer?.stop();
  await storage?.stop();
});

/** Every operation of a document, as `GET /file/{id}`. */
function operations(doc: OpenApi): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation],
    ),
  );
}

/** The codes an error reply of the document lists: the envelope's `error.code` (or a health reply's `code`). */
function codesOf(reply: Reply | undefined): string[] {
  const schema = reply?.content?.["application/json"]?.schema;
  return schema?.properties?.error?.properties?.code?.enum ?? schema?.properties?.code?.enum ?? [];
}

const SERVICES = {
  node: {
    catalog: NODE_ERRORS as Record<string, ErrorCodeInfo>,
    prefix: "NODE",
    startOnly: ["NODE_ERR_CONFIG", "NODE_ERR_DATASTORE_SPEC", "NODE_ERR_NO_MOUNT"],
  },
  indexer: {
    catalog: INDEXER_ERRORS as Record<string, ErrorCodeInfo>,
    prefix: "INDEXER",
    startOnly: [
      "INDEXER_ERR_CONFIG",
      "INDEXER_ERR_SCHEMA",
      "INDEXER_ERR_WRONG_DATABASE",
      "INDEXER_ERR_CHAIN_UNAVAILABLE",
    ],
  },
} as const;

describe.each(["node", "indexer"] as const)("the %s's OpenAPI document", (service) => {
  const { catalog, prefix, startOnly } = SERVICES[service];

  test("every route lists its error statuses, each in the envelope with the codes of that status, named", () => {
    const listed = new Set<string>();
    const ops = operations(docs[service].doc);
    expect(ops.length).toBeGreaterThan(10);
    for (const [route, op] of ops) {
      // every route can fail inside; every route that takes input can refuse it
      expect(codesOf(op.responses["500"]), route).toContain(`${prefix}_ERR_INTERNAL`);
      if (op.parameters?.length || op.requestBody?.content["application/json"])
        expect(codesOf(op.responses["400"]), route).toContain(`${prefix}_ERR_VALIDATION`);
      for (const [status, reply] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(reply.content ?? {}), `${route} ${status}`).toEqual(["application/json"]);
        const codes = codesOf(reply);
        expect(codes.length, `${route} ${status}`).toBeGreaterThan(0);
        for (const code of codes) {
          const info = catalog[code];
          expect(info, `${route} ${status}: ${code} is no code of the ${service}`).toBeDefined();
          expect(statusesOf(info as ErrorCodeInfo), `${route} answers ${code} with ${status}`).toContain(
            Number(status),
          );
          expect(reply.description, `${route} ${status}`).toContain(code);
          listed.add(code);
        }
      }
    }
    // and between them the routes list every code a request can get (not those of a process
    // that fails to start, nor the unknown route's)
    const unlisted = Object.keys(catalog).filter(
      (code) =>
        !listed.has(code) && !(startOnly as readonly string[]).includes(code) && !code.endsWith("_NO_ROUTE"),
    );
    expect(unlisted).toEqual([]);
  });

  test("request bodies and replies that are bytes are declared as bytes, never as JSON", () => {
    for (const [route, op] of operations(docs[service].doc)) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (type !== "application/json")
          expect(media.schema, `${route} body ${type}`).toMatchObject({ type: "string", format: "binary" });
      }
      for (const [status, reply] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(reply.content ?? {})) {
          if (type !== "application/json" && !type.startsWith("text/"))
            expect(media.schema, `${route} ${status} ${type}`).toMatchObject({
              type: "string",
              format: "binary",
            });
        }
      }
    }
  });
});

describe("what a client needs declared", () => {
  const op = (service: "node" | "indexer", route: string): Operation => {
    const [method, path] = route.split(" ") as [string, string];
    const found = docs[service].doc.paths[path]?.[method.toLowerCase()];
    if (!found) throw new Error(`${route} is not in the ${service}'s document`);
    return found;
  };
  const successTypes = (operation: Operation) =>
    Object.entries(operation.responses)
      .filter(([status, reply]) => Number(status) < 300 && reply.content)
      .flatMap(([, reply]) => Object.keys(reply.content ?? {}));

  test("PUT /store takes the blob's bytes or a CAR; the other uploads their bytes", () => {
    const store = op("node", "PUT /store").requestBody;
    expect(store?.required).toBe(true);
    expect(Object.keys(store?.content ?? {}).sort()).toEqual([
      "application/octet-stream",
      "application/vnd.ipld.car",
    ]);
    expect(Object.keys(op("node", "PUT /shard").requestBody?.content ?? {})).toEqual([
      "application/octet-stream",
    ]);
    for (const [service, route] of [
      ["node", "PUT /ipns/{name}"],
      ["indexer", "PUT /routing/v1/ipns/{name}"],
    ] as const) {
      expect(Object.keys(op(service, route).requestBody?.content ?? {}), route).toEqual([
        "application/vnd.ipfs.ipns-record",
      ]);
    }
    expect(op("node", "PUT /vaults/{id}/files/{*}").requestBody?.content).toBeDefined();
    // a delete request is JSON, with the signer that tells its refusals apart
    const del = op("node", "DELETE /file/{id}").requestBody?.content["application/json"]?.schema;
    expect(Object.keys(del?.properties ?? {})).toEqual(
      expect.arrayContaining(["blobId", "expiry", "nonce", "signature", "signer"]),
    );
  });

  test("reads, the gateway, shards and IPNS records answer bytes", () => {
    const binary: [service: "node" | "indexer", route: string, types: string[]][] = [
      ["node", "GET /file/{id}", ["application/octet-stream"]],
      ["node", "GET /ipfs/{cid}", ["application/vnd.ipld.raw", "application/vnd.ipld.car"]],
      ["node", "GET /shard/{blobId}", ["application/octet-stream"]],
      ["node", "GET /shard/{blobId}/repair", ["application/octet-stream"]],
      [
        "node",
        "GET /ipns/{name}",
        ["application/vnd.ipfs.ipns-record", "application/vnd.ipld.raw", "application/vnd.ipld.car"],
      ],
      [
        "node",
        "GET /ipns/{name}/{*}",
        ["application/octet-stream", "application/vnd.ipld.raw", "application/vnd.ipld.car"],
      ],
      ["indexer", "GET /routing/v1/ipns/{name}", ["application/vnd.ipfs.ipns-record"]],
    ];
    for (const [service, route, types] of binary) {
      const declared = successTypes(op(service, route));
      expect(declared, route).toEqual(expect.arrayContaining(types));
      expect(declared, route).not.toContain("application/json");
    }
    // a vault file is bytes, or its entry as JSON with ?stat=true; a range only bytes
    const vaultFile = op("node", "GET /vaults/{id}/files/{*}").responses;
    expect(Object.keys(vaultFile["200"]?.content ?? {}).sort()).toEqual([
      "application/json",
      "application/octet-stream",
    ]);
    expect(Object.keys(vaultFile["206"]?.content ?? {})).toEqual(["application/octet-stream"]);
    expect(Object.keys(op("node", "GET /metrics").responses["200"]?.content ?? {})).toEqual(["text/plain"]);
  });

  test("the delete's refusals are told apart: signer, typed data, expiry, a signature needed", () => {
    expect(codesOf(op("node", "DELETE /file/{id}").responses["401"]).sort()).toEqual([
      "NODE_ERR_DELETE_SIGNER",
      "NODE_ERR_DELETE_TYPED_DATA",
      "NODE_ERR_INVALID_SIGNATURE",
      "NODE_ERR_REQUEST_EXPIRED",
      "NODE_ERR_SIGNATURE_REQUIRED",
    ]);
  });
});

test("real refusals of both servers carry codes their route's document lists at that status", async () => {
  const unknownCid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
  const unknownBlob = `0x${"cd".repeat(32)}`;
  const json = { "content-type": "application/json" };
  const cases: [
    service: "node" | "indexer",
    route: string,
    url: string,
    init: RequestInit,
    status: number,
    code: string,
  ][] = [
    ["node", "GET /file/{id}", "/file/not-a-cid", {}, 400, "NODE_ERR_INVALID_ID"],
    ["node", "GET /file/{id}", `/file/${unknownCid}`, {}, 404, "NODE_ERR_NOT_FOUND"],
    ["node", "PUT /store", "/store?blobId=0x12", { method: "PUT", body: "x" }, 400, "NODE_ERR_VALIDATION"],
    ["node", "GET /shard/{blobId}/meta", `/shard/${unknownBlob}/meta`, {}, 404, "NODE_ERR_NOT_FOUND"],
    ["node", "GET /ipfs/{cid}", `/ipfs/${unknownCid}?format=raw`, {}, 404, "NODE_ERR_NOT_FOUND"],
    [
      "node",
      "DELETE /file/{id}",
      `/file/${unknownCid}`,
      { method: "DELETE", headers: json, body: JSON.stringify({ blobId: unknownBlob }) },
      404,
      "NODE_ERR_NOT_FOUND",
    ],
    [
      "node",
      "POST /migrate",
      "/migrate",
      { method: "POST", headers: { "content-type": "application/xml" }, body: "<migrate/>" },
      415,
      "NODE_ERR_BAD_REQUEST",
    ],
    [
      "node",
      "POST /migrate",
      "/migrate",
      { method: "POST", headers: json, body: "{" },
      400,
      "NODE_ERR_BAD_REQUEST",
    ],
    ["node", "GET /vault-jobs/{job}", `/vault-jobs/${"ab".repeat(16)}`, {}, 404, "NODE_ERR_NOT_FOUND"],
    ["node", "GET /vaults/{id}", "/vaults/1", {}, 400, "NODE_ERR_VALIDATION"],
    ["indexer", "GET /blobs", "/blobs?status=lost", {}, 400, "INDEXER_ERR_VALIDATION"],
    ["indexer", "GET /blobs", `/blobs?after=${unknownBlob}`, {}, 400, "INDEXER_ERR_INVALID_QUERY"],
    ["indexer", "GET /blobs/{id}", `/blobs/${unknownBlob}`, {}, 404, "INDEXER_ERR_NOT_FOUND"],
    ["indexer", "GET /route/{cid}", "/route/not-a-cid", {}, 400, "INDEXER_ERR_INVALID_QUERY"],
    [
      "indexer",
      "GET /search",
      `/search?q=${encodeURIComponent("!!!")}`,
      {},
      400,
      "INDEXER_ERR_INVALID_QUERY",
    ],
    ["indexer", "GET /nodes/{id}", "/nodes/999", {}, 404, "INDEXER_ERR_NOT_FOUND"],
    ["indexer", "GET /vaults/{id}", "/vaults/5", {}, 404, "INDEXER_ERR_NOT_FOUND"],
  ];
  for (const [service, route, url, init, status, code] of cases) {
    const response = await fetch(`${docs[service].url}${url}`, init);
    const body = (await response.json()) as { error?: { code?: string } };
    expect([response.status, body.error?.code], `${route} ${url}`).toEqual([status, code]);
    const [method, path] = route.split(" ") as [string, string];
    const reply = docs[service].doc.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    expect(codesOf(reply), `${route} documents ${code} at ${status}`).toContain(code);
  }
});
