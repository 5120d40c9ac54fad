// CORS on the storage node and the indexer, over real HTTP: preflights of what a page sends (the
// upload's PUT /store, the signed DELETE /file/:id with a JSON body, a vault request with its
// signature header) are answered for an allowed origin and not at all for another; the replies a
// page reads expose the headers the SDK reads; a service without `http.corsOrigins` answers any
// origin.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startNodes } from "../../devnet/start-nodes.ts";
import { connectStrata } from "../../devnet/strata-fixture.ts";
import { CORS_MAX_AGE } from "../../service/cors.ts";
import { startTestIndexer } from "../helpers/indexer-harness.ts";

const ALLOWED = "https://dapp.example";
const OTHER = "https://elsewhere.example";
const BLOB = `0x${"ab".repeat(32)}`;
const CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

let stop: () => Promise<void>;
let restricted: string;
let open: string;
let indexer: string;

beforeAll(async () => {
  const h = await connectStrata();
  const { deployment } = await h.deploy();
  const registered = await h.registerNodes(deployment, 2);
  // a fresh object each (a node's start writes its port into its configuration)
  const http = () => ({ host: "127.0.0.1", port: 0, corsOrigins: [ALLOWED] });
  // node 0 answers ALLOWED only; node 1 keeps the default (any origin)
  const started = await startNodes(h, deployment, registered, (index) =>
    index === 0 ? { http: http() } : {},
  );
  const running = await startTestIndexer(started.rpcUrl, deployment, { http: http() });
  [restricted, open] = started.nodes.map((node) => node.url) as [string, string];
  indexer = running.indexer.url;
  stop = async () => {
    await running.stop();
    await started.stop();
  };
});

afterAll(async () => {
  await stop?.();
});

function preflight(url: string, origin: string, method: string, headers: string[] = []) {
  return fetch(url, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": method,
      ...(headers.length > 0 ? { "access-control-request-headers": headers.join(", ") } : {}),
    },
  });
}

const list = (value: string | null) => (value ?? "").split(",").map((item) => item.trim().toLowerCase());

/** The Access-Control-* headers of a response. */
function corsHeaders(response: Response): Record<string, string> {
  const found: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name.startsWith("access-control-")) found[name] = value;
  });
  return found;
}

async function expectPreflightAllowed(url: string, method: string, headers: string[]) {
  const response = await preflight(url, ALLOWED, method, headers);
  expect(response.status).toBe(204);
  expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  expect(list(response.headers.get("access-control-allow-methods"))).toContain(method.toLowerCase());
  for (const header of headers)
    expect(list(response.headers.get("access-control-allow-headers"))).toContain(header);
  expect(response.headers.get("access-control-max-age")).toBe(String(CORS_MAX_AGE));
  expect(list(response.headers.get("vary"))).toContain("origin");
  expect(response.headers.get("access-control-allow-credentials")).toBeNull();
}

describe("a storage node with http.corsOrigins", () => {
  test("answers the preflight of an upload (PUT /store with a content type) from an allowed origin", async () => {
    await expectPreflightAllowed(`${restricted}/store?blobId=${BLOB}`, "PUT", ["content-type"]);
  });

  test("answers the preflight of a signed delete (DELETE /file/:id with a JSON body)", async () => {
    await expectPreflightAllowed(`${restricted}/file/${CID}`, "DELETE", ["content-type"]);
  });

  test("answers the preflight of a vault request with its signature header, and of a ranged read", async () => {
    await expectPreflightAllowed(`${restricted}/vaults/1/files/notes.txt`, "PUT", [
      "content-type",
      "x-strata-vault-auth",
    ]);
    await expectPreflightAllowed(`${restricted}/file/${CID}`, "GET", ["range", "if-none-match"]);
  });

  test("gives another origin's preflight no CORS header at all", async () => {
    for (const [path, method] of [
      [`/store?blobId=${BLOB}`, "PUT"],
      [`/file/${CID}`, "DELETE"],
    ] as const) {
      const response = await preflight(`${restricted}${path}`, OTHER, method, ["content-type"]);
      expect(response.status).toBe(404);
      expect(corsHeaders(response)).toEqual({});
    }
  });

  test("marks a reply to an allowed origin, exposing the headers the SDK reads, and not another's", async () => {
    const allowed = await fetch(`${restricted}/health`, { headers: { origin: ALLOWED } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const exposed = list(allowed.headers.get("access-control-expose-headers"));
    for (const header of ["x-strata-tier", "content-range", "etag", "accept-ranges", "x-ipfs-path"])
      expect(exposed).toContain(header);
    // an error reply too: a page must read the error envelope's code
    const missing = await fetch(`${restricted}/file/${CID}`, { headers: { origin: ALLOWED } });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const other = await fetch(`${restricted}/health`, { headers: { origin: OTHER } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("a storage node without http.corsOrigins", () => {
  test("answers any origin's preflight with *", async () => {
    const response = await preflight(`${open}/store?blobId=${BLOB}`, OTHER, "PUT", ["content-type"]);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(list(response.headers.get("access-control-allow-headers"))).toContain("content-type");
  });
});

describe("the indexer with http.corsOrigins", () => {
  test("answers an allowed origin's preflight and marks its replies", async () => {
    const response = await preflight(`${indexer}/blobs?limit=1`, ALLOWED, "GET", ["content-type"]);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(list(response.headers.get("access-control-allow-methods"))).toContain("get");
    const reply = await fetch(`${indexer}/blobs?limit=1`, { headers: { origin: ALLOWED } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });

  test("gives another origin nothing", async () => {
    const response = await preflight(`${indexer}/blobs`, OTHER, "GET", ["content-type"]);
    expect(response.status).toBe(404);
    expect(corsHeaders(response)).toEqual({});
    const reply = await fetch(`${indexer}/blobs?limit=1`, { headers: { origin: OTHER } });
    expect(reply.headers.get("access-control-allow-origin")).toBeNull();
  });
});
