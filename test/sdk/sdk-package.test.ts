// The SDK as a dApp installs it: the package built from sdk/package.json (scripts/build-sdk.ts),
// staged in a node_modules of its own, against storage nodes and an indexer over a real chain.
// The Node.js entry uploads a Blob signed through an EIP-1193 wallet; the browser entry, loaded in
// Node's ESM loader (its fetch path: there is no XMLHttpRequest here), uploads a ReadableStream
// through the actions alone; both read back every byte verified, whole and ranged, and report
// progress (bytes hashed, bytes sent per node).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomBytes } from "../../devnet/strata-fixture.ts";
import { sdkEntries, stageSdkPackage } from "../../scripts/build-sdk.ts";
import type * as Sdk from "../../sdk/index.ts";
import { testWallet } from "../helpers/eip1193-wallet.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "./sdk-network.ts";

const MiB = 1 << 20;
const staging = join(import.meta.dirname, "..", "..", ".strata", `sdk-package-${process.pid}`);

let net: SdkNetwork;
let node: typeof Sdk;
let browser: typeof Sdk;
let wallet: ReturnType<typeof testWallet>;

beforeAll(async () => {
  const [started, packageDir] = await Promise.all([startSdkNetwork(), stageSdkPackage(staging)]);
  net = started;
  const entries = sdkEntries(join(packageDir, "dist"));
  node = (await import(entries.node)) as typeof Sdk;
  browser = (await import(entries.browser)) as typeof Sdk;
  wallet = testWallet(net.h.connection.provider, net.h.wallet(8).account.address);
  const funding = new node.StrataClient({ ...options(), signer: net.h.wallet(8) });
  await funding.faucet(FUNDS);
}, 300_000);

afterAll(async () => {
  await net?.stop();
  await rm(staging, { recursive: true, force: true });
});

/** What a page passes: the deployment, the chain's JSON-RPC URL, the indexer. */
function options() {
  return {
    deployment: net.deployment,
    rpcUrl: net.started.rpcUrl,
    indexerUrl: net.indexerUrl,
    pollingIntervalMs: 100,
  };
}

/** The last progress report of each stage, and each node's last upload report. */
function summarize(progress: Sdk.UploadProgress[]) {
  const stages = new Map(progress.map((p) => [p.stage, p]));
  const nodes = new Map<number, { bytes: number; total: number }>();
  for (const p of progress)
    if (p.node) nodes.set(p.node.nodeId, { bytes: p.node.bytes, total: p.node.total });
  return { stages, nodes };
}

describe("the Node.js entry", () => {
  test("uploads a Blob signed through an EIP-1193 wallet, then reads it back whole and ranged", async () => {
    const data = randomBytes(3 * MiB + 123, 21);
    const progress: Sdk.UploadProgress[] = [];
    const client = new node.StrataClient({ ...options(), signer: wallet });
    const uploaded = await client.upload(new Blob([data as Uint8Array<ArrayBuffer>], { type: "image/png" }), {
      onProgress: (p) => progress.push(p),
    });
    expect(wallet.calls).toContain("eth_requestAccounts");
    expect(wallet.calls).toContain("eth_sendTransaction");
    const { stages, nodes } = summarize(progress);
    expect(stages.get("hashing")).toMatchObject({ bytes: data.length, total: data.length });
    expect(stages.get("done")).toMatchObject({ bytes: 3 * data.length, total: 3 * data.length });
    expect([...nodes.values()]).toEqual(Array(3).fill({ bytes: data.length, total: data.length }));

    expect(Buffer.compare(await client.get(uploaded.cid), data)).toBe(0);
    const range = await client.get(uploaded.cid, { range: { offset: MiB - 10, length: MiB + 20 } });
    expect(Buffer.compare(range, data.subarray(MiB - 10, 2 * MiB + 10))).toBe(0);
    await net.indexed();
    expect((await client.status(uploaded.blobId)).indexed?.mimeType).toBe("image/png");
  });
});

describe("the browser entry, in Node's ESM loader", () => {
  test("uploads a ReadableStream through the actions, then reads it back whole and ranged", async () => {
    const data = randomBytes(2 * MiB + 4567, 22);
    const ctx = browser.createStrataContext({ ...options(), signer: wallet });
    let offset = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= data.length) return controller.close();
        const end = Math.min(offset + 100_000, data.length);
        controller.enqueue(data.slice(offset, end));
        offset = end;
      },
    });
    const progress: Sdk.UploadProgress[] = [];
    const uploaded = await browser.upload(ctx, { source, onProgress: (p) => progress.push(p) });
    const { stages, nodes } = summarize(progress);
    expect(stages.get("hashing")).toMatchObject({ bytes: data.length, total: 0 });
    expect([...nodes.values()]).toEqual(Array(3).fill({ bytes: data.length, total: data.length }));

    expect(Buffer.compare(await browser.get(ctx, { cid: uploaded.cid }), data)).toBe(0);
    const chunks: Uint8Array[] = [];
    for await (const chunk of browser.stream(ctx, {
      cid: uploaded.cid,
      range: { offset: 12_345, length: MiB },
    }))
      chunks.push(chunk);
    expect(Buffer.compare(Buffer.concat(chunks), data.subarray(12_345, 12_345 + MiB))).toBe(0);
  });

  test("refuses a file path with a coded error", async () => {
    const ctx = browser.createStrataContext({ ...options(), signer: wallet });
    const error = await browser.upload(ctx, { source: "/etc/hostname" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(browser.StrataError);
    expect((error as Sdk.StrataError).code).toBe("STRATA_ERR_INVALID_ARGUMENT");
  });
});
