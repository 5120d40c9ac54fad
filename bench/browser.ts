// The web console and the SDK in a page, in headless Chromium (Debian's, driven by playwright-core)
// against the devnet as shipped (chain, three node processes, the indexer serving the console):
//   - a 64 MiB upload from the page (the dApp view: a File, hashed in the page, sent to three nodes,
//     signed by an injected test wallet) against the Node SDK's upload of a file of the same size to
//     the same three nodes in the same run (target >= 0.5 of its speed); a fresh file of random
//     bytes for each upload, so no node holds its blocks already, the two taking turns;
//   - the console's first render of a network with 1,000 blobs (time to interactive: navigation
//     start to the network view drawn with its data and taking input) against loading the
//     indexer's `/blobs` JSON alone (the listing's first page, as the console asks for it);
//   - the browser bundle's size, gzipped: what the network view loads, the dApp view's chunk
//     (the SDK, viem), and everything.
//   npm run bench:browser
//   STRATA_BENCH_UPLOADS=5 STRATA_BENCH_BLOBS=2000 npm run bench:browser
import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { type Address, encodeFunctionData, type Hex, maxUint256, toHex } from "viem";
import { storageMarketAbi, strataTokenAbi, Tier } from "#protocol";
import { injectWallet, launchChromium } from "../devnet/browser-harness.ts";
import { ensureConsoleBuild } from "../devnet/console-build.ts";
import { devnetAccount, devnetKey } from "../devnet/hardhat-chain.ts";
import { FIRST_DAPP_ACCOUNT } from "../devnet/start-devnet.ts";
import { startBenchDevnet } from "./bench-devnet.ts";
import { type Figure, report } from "./report.ts";

const root = join(import.meta.dirname, "..");
const SIZE = 64 << 20;
const UPLOADS = Number(process.env.STRATA_BENCH_UPLOADS ?? 3);
const BLOBS = Number(process.env.STRATA_BENCH_BLOBS ?? 1000);
const RENDERS = 5;
const SCREENSHOT = join(root, "test-results", "browser", "bench-network.png");

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

await ensureConsoleBuild(root, { log: (line) => console.log(line) });
const bench = await startBenchDevnet("bench-browser");
const { net } = bench;
let browser: Browser | undefined;
const figures: Figure[] = [];
try {
  browser = await launchChromium();

  // --- 64 MiB uploads: the page (dApp account 0, through the console) and Node (account 1)
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await injectWallet(context, {
    key: devnetKey(FIRST_DAPP_ACCOUNT),
    rpcUrl: net.rpcUrl,
    chainId: net.deployment.chainId,
  });
  const page = await context.newPage();
  await page.goto(`${net.consoleUrl}#/dapp`);
  await page.waitForSelector('body[data-ready="dapp"]');
  await page.getByRole("button", { name: "Connect wallet" }).click();
  await page.waitForSelector("#account");
  const node = net.dappClient(1);
  const pageMs: number[] = [];
  const nodeMs: number[] = [];
  const file = join(bench.dir, "upload.bin");
  const viaPage = async () => {
    await writeFile(file, randomBytes(SIZE));
    await page.getByLabel("File to upload", { exact: true }).setInputFiles(file);
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await page.waitForSelector("#upload-stage[data-stage=done], #upload-stage[data-stage=failed]", {
      timeout: 600_000,
    });
    if ((await page.getAttribute("#upload-stage", "data-stage")) !== "done") {
      throw new Error(`the page's upload failed: ${await page.locator("#upload-stage").innerText()}`);
    }
    pageMs.push(Number(await page.getAttribute("#upload-done", "data-ms")));
  };
  const viaNode = async () => {
    await writeFile(file, randomBytes(SIZE));
    const started = performance.now();
    await node.upload(file, { replicas: 3, name: "upload.bin" });
    nodeMs.push(performance.now() - started);
  };
  for (let round = 0; round < UPLOADS; round++) {
    if (round % 2 === 0) {
      await viaNode();
      await viaPage();
    } else {
      await viaPage();
      await viaNode();
    }
    console.log(
      `round ${round + 1}: page ${(pageMs.at(-1)! / 1000).toFixed(2)} s, Node ${(nodeMs.at(-1)! / 1000).toFixed(2)} s`,
    );
  }
  await rm(file, { force: true });
  await context.close();
  const mibps = (ms: number) => SIZE / 2 ** 20 / (ms / 1000);
  figures.push({
    name: "64 MiB upload from the page (3 nodes)",
    value: mibps(median(pageMs)),
    unit: "MiB/s",
    baseline: mibps(median(nodeMs)),
    baselineName: "the Node SDK",
    min: 0.5,
  });

  // --- a network with 1,000 blobs more: registered in full blocks by an unlocked devnet account
  const owner = devnetAccount(FIRST_DAPP_ACCOUNT + 2).address;
  await registerMany(net.rpcUrl, owner, net.deployment.contracts, BLOBS);
  const stats = net.dappClient(0).indexer;
  const total = BLOBS + 2 * UPLOADS;
  for (const deadline = Date.now() + 120_000; ; ) {
    if (((await stats.stats()).rows.blobs ?? 0) >= total) break;
    if (Date.now() > deadline) throw new Error("the indexer did not index the blobs in time");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  // --- first render: the console's network view against the /blobs JSON alone, fresh contexts
  const consoleMs: number[] = [];
  const jsonMs: number[] = [];
  const fresh = async <T>(use: (page: Page) => Promise<T>): Promise<T> => {
    const ctx = await (browser as Browser).newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      return await use(await ctx.newPage());
    } finally {
      await ctx.close();
    }
  };
  for (let i = 0; i < RENDERS; i++) {
    consoleMs.push(
      await fresh(async (p) => {
        await p.goto(`${net.consoleUrl}#/network`);
        await p.waitForSelector('body[data-ready="network"]');
        if (i === 0) {
          // the overview, the nodes and the charts: the top of the page, as a README shows it
          await p.setViewportSize({ width: 1400, height: 1900 });
          await p.screenshot({ path: SCREENSHOT });
        }
        return p.evaluate(
          () => performance.getEntriesByName("strata-ready-network")[0]?.startTime ?? Number.NaN,
        );
      }),
    );
    jsonMs.push(
      await fresh(async (p) => {
        await p.goto(`${net.indexerUrl}/blobs?limit=25`);
        return p.evaluate(() => {
          const [entry] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
          return entry ? entry.loadEventEnd : Number.NaN;
        });
      }),
    );
  }
  figures.push({
    name: `console first render, ${total.toLocaleString("en-US")} blobs`,
    value: median(consoleMs),
    unit: "ms",
    baseline: median(jsonMs),
    baselineName: "GET /blobs?limit=25 alone",
  });

  // --- the bundle, gzipped
  const assets = join(root, "console", "dist", "assets");
  const html = await readFile(join(root, "console", "dist", "index.html"), "utf8");
  const sizes = new Map<string, number>();
  for (const name of await readdir(assets)) {
    if (!/\.(js|css)$/.test(name)) continue;
    sizes.set(name, gzipSync(await readFile(join(assets, name)), { level: 9 }).length);
  }
  const loadedFirst = [...html.matchAll(/assets\/([^"]+\.(?:js|css))/g)].map((m) => m[1]!);
  const sum = (names: string[]) => names.reduce((n, name) => n + (sizes.get(name) ?? 0), 0);
  const everything = sum([...sizes.keys()]);
  const networkView = sum(loadedFirst);
  const dapp = sum([...sizes.keys()].filter((name) => !loadedFirst.includes(name)));
  console.log("\nThe console's bundle, gzipped (level 9):");
  console.log(`  network view (index.html's scripts and styles): ${(networkView / 1024).toFixed(1)} KiB`);
  console.log(`  dApp view, loaded when opened (the SDK, viem): ${(dapp / 1024).toFixed(1)} KiB`);
  console.log(`  everything: ${(everything / 1024).toFixed(1)} KiB`);
  console.log(
    `\nuploads (s): page ${pageMs.map((ms) => (ms / 1000).toFixed(2)).join(", ")}; Node ${nodeMs
      .map((ms) => (ms / 1000).toFixed(2))
      .join(", ")}`,
  );
  console.log(
    `first renders (ms): console ${consoleMs.map((ms) => ms.toFixed(0)).join(", ")}; /blobs ${jsonMs
      .map((ms) => ms.toFixed(0))
      .join(", ")}`,
  );
  console.log(`screenshot: ${SCREENSHOT}`);
  const ok = report("Browser: the SDK in a page and the console", figures);
  process.exitCode = ok ? 0 : 1;
} finally {
  await browser?.close();
  await bench.stop();
}

/**
 * Registers `count` small blobs (one holder, not uploaded: listed as registered, then expired)
 * from an unlocked devnet account, a block of them at a time, so the indexer has `count` more.
 */
async function registerMany(
  rpcUrl: string,
  from: Address,
  contracts: { token: Address; market: Address },
  count: number,
): Promise<void> {
  let id = 0;
  const call = async (method: string, params: unknown[] = []) => {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  };
  const send = (to: Address, data: Hex, gas: bigint) =>
    call("eth_sendTransaction", [{ from, to, data, gas: toHex(gas) }]);
  await send(
    contracts.token,
    encodeFunctionData({
      abi: strataTokenAbi,
      functionName: "approve",
      args: [contracts.market, maxUint256],
    }),
    100_000n,
  );
  const register = (i: number) =>
    encodeFunctionData({
      abi: storageMarketAbi,
      functionName: "registerBlob",
      args: [
        {
          salt: toHex(randomBytes(32)),
          // a CIDv1 (raw, sha2-256) of some bytes: listed as a CID by the indexer
          cid: toHex(Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), randomBytes(32)])),
          commitment: toHex(randomBytes(32)),
          size: 1000n + BigInt(i),
          tier: Tier.hot,
          nodes: [1 + (i % 3)],
          epochs: 1,
          shardSize: 0n,
          recovery: 0,
          name: `file-${i}.bin`,
          mimeType: ["application/octet-stream", "image/png", "text/plain"][i % 3]!,
          tags: [`batch-${i % 10}`],
        },
      ],
    });
  const gas =
    (BigInt((await call("eth_estimateGas", [{ from, to: contracts.market, data: register(0) }])) as string) *
      3n) /
    2n;
  const block = (await call("eth_getBlockByNumber", ["latest", false])) as { gasLimit: Hex };
  const perBlock = Math.max(1, Math.min(200, Number((BigInt(block.gasLimit) * 9n) / 10n / gas)));
  await call("evm_setAutomine", [false]);
  try {
    for (let sent = 0; sent < count; ) {
      const batch = Math.min(perBlock, count - sent);
      await Promise.all(
        Array.from({ length: batch }, (_, i) => send(contracts.market, register(sent + i), gas)),
      );
      await call("evm_mine");
      sent += batch;
    }
  } finally {
    await call("evm_setAutomine", [true]);
  }
}
