// The web console in a real browser: headless Chromium (Debian's, driven by playwright-core)
// against the devnet in real processes (chain, three node processes, the indexer serving the
// console at /console/). The last node runs with the fault switch `stop-proving`. A test wallet
// (an EIP-1193 provider whose key stays in Node) is injected into the dApp's pages. Screenshots go
// to test-results/browser/.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { proofSystemAbi } from "#protocol";
import { injectWallet, launchChromium, type TestWallet } from "../../devnet/browser-harness.ts";
import { ensureConsoleBuild } from "../../devnet/console-build.ts";
import { devnetKey } from "../../devnet/hardhat-chain.ts";
import { type Devnet, FIRST_DAPP_ACCOUNT, freePort, startDevnet } from "../../devnet/start-devnet.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { until as waitUntil } from "../helpers/wait-until.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SHOTS = join(ROOT, "test-results", "browser");

let net: Devnet;
let dir: Awaited<ReturnType<typeof tempDir>>;
let browser: Browser;

/** A probe that throws (a service still starting) is "not yet". */
const until = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000) =>
  waitUntil(what, () => probe().catch(() => undefined), timeoutMs);

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** A page on the console; `wallet` injects the test wallet (signing as devnet dApp account 0). */
async function open(
  route: "#/network" | "#/dapp",
  options: { wallet?: boolean; query?: string; at?: string } = {},
): Promise<{ page: Page; wallet?: TestWallet; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const wallet = options.wallet
    ? await injectWallet(context, {
        key: devnetKey(FIRST_DAPP_ACCOUNT),
        rpcUrl: net.rpcUrl,
        chainId: net.deployment.chainId,
      })
    : undefined;
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${options.at ?? net.consoleUrl}${options.query ?? ""}${route}`);
  await page.waitForSelector(`body[data-ready="${route.slice(2)}"]`, { timeout: 30_000 });
  return { page, errors, ...(wallet ? { wallet } : {}) };
}

/** A blob row's status, or what the page said went wrong (the live region names failed actions). */
async function statusOrFailure(page: Page, row: ReturnType<Page["locator"]>): Promise<string> {
  const said = await page.locator("#live").innerText();
  return /failed|Could not/.test(said) ? said : row.locator("[data-col=status]").innerText();
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  await ensureConsoleBuild(ROOT);
  dir = await tempDir("browser");
  net = await startDevnet({
    root: ROOT,
    dataDir: join(dir.path, "devnet"),
    chainPort: await freePort(),
    nodePort: 0,
    indexerPort: 0,
    logLevel: "warn",
    fault: { node: 2, mode: "stop-proving" },
  });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await net?.stop();
  if (process.env.STRATA_KEEP_TEST_DIRS === "1") console.log(`devnet kept in ${dir?.path}`);
  else await dir?.cleanup();
});

describe("the network view, without a wallet", () => {
  test("lists every node with its stake, standing, tiers, price and health, and the activity per period", async () => {
    const { page, errors } = await open("#/network");
    for (const node of net.nodes) {
      const row = page.locator(`#nodes-table tr[data-node-id="${node.nodeId}"]`);
      await expect.poll(() => row.count()).toBe(1);
      const text = await row.innerText();
      expect(await row.getByRole("link").getAttribute("href")).toBe(node.url);
      expect(text).toContain("active");
      expect(text).toContain("hot, cold");
      expect(text).toMatch(/up, \d+\.\d %/);
    }
    // landmarks, headings, labelled controls: what assistive technology navigates by
    expect(await page.getByRole("main").count()).toBe(1);
    expect(await page.getByRole("navigation", { name: "Views" }).count()).toBe(1);
    expect(await page.getByRole("heading", { level: 1, name: "Network" }).count()).toBe(1);
    for (const name of ["Overview", "Nodes", "Activity per period", "Blobs", "Names", "Vaults"]) {
      expect(await page.getByRole("region", { name, exact: true }).count(), name).toBe(1);
    }
    expect(await page.getByRole("searchbox", { name: "Name, tag or MIME type" }).count()).toBe(1);
    expect(await page.getByRole("columnheader", { name: "Availability" }).count()).toBe(1);
    // the first Tab reaches the skip link, which lands on the content
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    // the charts drew
    expect(await page.locator("#chart-stored canvas").count()).toBe(1);
    expect(await page.locator("#chart-proofs canvas").count()).toBe(1);
    expect(await page.locator("#chart-latency canvas").count()).toBe(1);
    // the dApp page says there is no wallet, and the network view needed none
    await page.getByRole("link", { name: "My blobs" }).click();
    await page.waitForSelector('body[data-ready="dapp"]');
    expect(await page.getByText("No wallet found in this browser").count()).toBe(1);
    expect(errors).toEqual([]);
    await page.goBack();
    await page.waitForSelector('body[data-ready="network"]');
    await screenshot(page, "network");
    await page.context().close();
  });
});

describe("the dApp view, with a wallet", () => {
  const data = randomBytes(5 << 20);
  let blobId: Hex;

  test("uploads a 5 MiB file from the page, with progress, and sees it certified", async () => {
    const file = join(dir.path, "page-upload.bin");
    await writeFile(file, data);
    const { page, wallet, errors } = await open("#/dapp", { wallet: true });
    // nothing is asked of the wallet before the user connects
    expect(wallet?.calls).not.toContain("eth_requestAccounts");
    await page.getByRole("button", { name: "Connect wallet" }).click();
    await expect.poll(() => page.locator("#account").innerText()).toBe(wallet?.address);
    await page.getByLabel("File to upload", { exact: true }).setInputFiles(file);
    await page.getByLabel("Tags").fill("browser, e2e");
    const stages = new Set<string>();
    const watch = setInterval(() => {
      void page
        .getAttribute("#upload-stage", "data-stage")
        .then((stage) => stage && stages.add(stage))
        .catch(() => undefined);
    }, 50);
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await page.waitForSelector("#upload-stage[data-stage=done], #upload-stage[data-stage=failed]", {
      timeout: 120_000,
    });
    clearInterval(watch);
    expect(await page.locator("#upload-stage").innerText()).toMatch(/^Certified in/);
    expect(await page.locator("#upload-progress").getAttribute("value")).toBe("100");
    expect([...stages]).toEqual(expect.arrayContaining(["hashing", "uploading", "done"]));
    blobId = (await page.getAttribute("#upload-done", "data-blob-id")) as Hex;
    // signed in the wallet: approve, register, certify
    expect(wallet?.calls.filter((call) => call === "eth_sendTransaction").length).toBeGreaterThanOrEqual(2);
    // the listing shows it certified, on three nodes
    const row = page.locator(`#my-blobs-table tr[data-blob-id="${blobId}"]`);
    await expect.poll(() => statusOrFailure(page, row)).toBe("certified");
    expect(await row.innerText()).toContain("3 / 3");
    // and so does the chain
    const status = await net.dappClient(0).status(blobId);
    expect(status).toMatchObject({ status: "certified", size: data.length, attested: 3 });
    expect(status.owner).toBe(wallet?.address);
    expect(errors).toEqual([]);
    await screenshot(page, "dapp-uploaded");

    // downloaded through the SDK in the page, every block verified: the same bytes
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("button", { name: "Download page-upload.bin" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("page-upload.bin");
    expect(Buffer.compare(await readFile(await download.path()), data)).toBe(0);

    // extended by an epoch: paid through a later period
    const before = await net.dappClient(0).status(blobId);
    await row.getByRole("button", { name: "Extend page-upload.bin by one epoch" }).click();
    await expect
      .poll(async () => (await net.dappClient(0).status(blobId)).endPeriod, { timeout: 30_000 })
      .toBeGreaterThan(before.endPeriod);
    expect((await net.dappClient(0).status(blobId)).epochs).toBe(before.epochs + 1);

    // deleted: asked twice, then gone from the chain's live blobs
    await row.getByRole("button", { name: "Delete page-upload.bin" }).click();
    await row.getByRole("button", { name: "Confirm: delete page-upload.bin" }).click();
    await expect.poll(() => statusOrFailure(page, row), { timeout: 30_000 }).toBe("deleted");
    expect((await net.dappClient(0).status(blobId)).status).toBe("deleted");
    expect(errors).toEqual([]);
    await screenshot(page, "dapp-deleted");
    await page.context().close();
  });
});

describe("the fault switch", () => {
  test("the network view shows the node that stopped proving missing a proof and slashed", async () => {
    const faulty = net.nodes[2]!;
    expect(faulty.fault).toBe("stop-proving");
    // a blob every node must prove, from the Node SDK
    await net.dappClient(1).upload(randomBytes(1 << 20), { replicas: 3, name: "held.bin" });
    const rpc = (method: string, params: unknown[] = []) =>
      net.publicClient.request({ method, params } as never);
    const read = <T>(functionName: string, args: unknown[] = []) =>
      net.publicClient.readContract({
        address: net.deployment.contracts.proofSystem,
        abi: proofSystemAbi,
        functionName,
        args,
      } as never) as Promise<T>;
    const currentPeriod = async () => Number(await read<number>("currentPeriod"));
    /** The healthy nodes prove the period they are challenged in before time moves on. */
    const proven = (period: number) =>
      until(`the healthy nodes to prove period ${period}`, async () => {
        if (BigInt(await read<bigint>("seedBlockOf", [period])) === 0n) return false;
        for (const node of net.nodes.slice(0, 2)) {
          const challenged = (await read<unknown[]>("challenges", [node.nodeId])).length > 0;
          if (challenged && !(await read<boolean>("isProven", [node.nodeId, period]))) return false;
        }
        return true;
      });
    /** Moves the chain's clock to the start of the next period. */
    const nextPeriod = async () => {
      const { genesis, periodSeconds } = net.deployment.params;
      const now = Number((await net.publicClient.getBlock()).timestamp);
      await rpc("evm_increaseTime", [periodSeconds - ((now - genesis) % periodSeconds) + 1]);
      await rpc("evm_mine");
    };
    // period by period, until the others have reported the faulty node's miss and it was slashed
    const indexed = () => net.dappClient(0).indexer.node(faulty.nodeId);
    for (let step = 0; step < 6 && (await indexed()).slashes === 0; step++) {
      await proven(await currentPeriod());
      await nextPeriod();
      // the others report the previous period's miss early in the new one
      await until("a report of the miss", async () => (await indexed()).slashes > 0, 8_000).catch(
        () => undefined,
      );
    }
    const { page, errors } = await open("#/network", { query: "?refresh=1000" });
    const slashes = page.locator(`#nodes-table tr[data-node-id="${faulty.nodeId}"] [data-col=slashes]`);
    await until(
      "the indexer to record the slash",
      async () => (await net.dappClient(0).indexer.node(faulty.nodeId)).slashes >= 1,
      90_000,
    );
    await expect.poll(() => slashes.innerText(), { timeout: 15_000 }).toMatch(/^[1-9]\d* \(.+ taken\)$/);
    const row = await page.locator(`#nodes-table tr[data-node-id="${faulty.nodeId}"]`).innerText();
    expect(row).toMatch(/missed in a row/);
    expect(
      await page.locator(`#nodes-table tr[data-node-id="${faulty.nodeId}"] [data-col=misses]`).innerText(),
    ).not.toBe("0");
    // the healthy nodes proved and were not slashed
    for (const node of net.nodes.slice(0, 2)) {
      const healthy = page.locator(`#nodes-table tr[data-node-id="${node.nodeId}"]`);
      expect(await healthy.locator("[data-col=slashes]").innerText()).toBe("0");
      expect(Number(await healthy.locator("[data-col=proofs]").innerText())).toBeGreaterThan(0);
    }
    // the period table names the node that missed, and counts the slash
    await expect.poll(() => page.locator("#periods-table").innerText()).toContain(`node ${faulty.nodeId}`);
    expect(await page.locator("#chart-proofs-summary").innerText()).toMatch(/[1-9]\d* slashes/);
    // the blob search finds the held blob by name
    await page.getByRole("searchbox", { name: "Name, tag or MIME type" }).fill("held");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => page.locator("#blobs-table").innerText()).toContain("held.bin");
    expect(errors).toEqual([]);
    await screenshot(page, "network-slash");
    await page.context().close();
  });
});

describe("strata console", () => {
  test("serves the console on a port of its own, reading from the indexer", async () => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, "cli", "strata.ts"),
        "console",
        "--port",
        "0",
        "--indexer",
        net.indexerUrl,
        "--rpc-url",
        net.rpcUrl,
        "--deployment",
        net.deploymentFile,
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = "";
        const collect = (chunk: Buffer) => {
          output += chunk.toString();
          const found = /Strata console at (\S+)/.exec(output);
          if (found) resolve(found[1]!);
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        child.once("exit", (code) => reject(new Error(`strata console exited with ${code}: ${output}`)));
      });
      const config = (await (await fetch(`${url}config.json`)).json()) as Record<string, unknown>;
      expect(config).toMatchObject({ indexerUrl: net.indexerUrl, rpcUrl: net.rpcUrl });
      // another origin than the indexer's: its pages read the indexer through CORS
      const { page, errors } = await open("#/network", { at: url });
      for (const node of net.nodes) {
        expect(await page.locator(`#nodes-table tr[data-node-id="${node.nodeId}"]`).count()).toBe(1);
      }
      expect(await page.locator("#indexer-link").innerText()).toBe(net.indexerUrl);
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      child.kill("SIGINT");
      if (child.exitCode === null) await once(child, "exit");
    }
    expect(child.exitCode).toBe(0);
  });
});
