// The SDK's browser entry as a dApp's bundler sees it: the package built and staged in a
// node_modules of its own, its browser entry reaching no `node:` module (nor any package the
// package does not declare), loading in Node's ESM loader with the same exports as the Node.js
// entry, and bundling for the browser with every package in (esbuild refuses a Node built-in there).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, test } from "vitest";
import { isNodeBuiltin, packageImports, sdkEntries, stageSdkPackage } from "../../scripts/build-sdk.ts";

const staging = join(import.meta.dirname, "..", "..", ".strata", `sdk-bundle-${process.pid}`);
let entries: ReturnType<typeof sdkEntries>;

beforeAll(async () => {
  entries = sdkEntries(join(await stageSdkPackage(staging), "dist"));
}, 300_000);

afterAll(async () => {
  await rm(staging, { recursive: true, force: true });
});

test("the browser entry reaches no node: module, and the Node.js entry does", async () => {
  const browser = await packageImports(entries.browser, "browser");
  expect(browser.filter(isNodeBuiltin)).toEqual([]);
  expect(browser).toContain("hash-wasm");
  const node = await packageImports(entries.node, "node");
  expect(node).toContain("node:fs");
});

test("the browser entry loads in Node's ESM loader with the Node.js entry's exports", async () => {
  const browser = await import(entries.browser);
  const node = await import(entries.node);
  expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  for (const name of ["StrataClient", "createStrataContext", "upload", "get", "stream", "eip1193Signer"])
    expect(typeof browser[name]).toBe("function");
});

test("a page importing the package bundles for the browser with every package in, and no node: import", async () => {
  const result = await build({
    stdin: {
      contents: `import { StrataClient } from "@strata-network/sdk"; window.StrataClient = StrataClient;`,
      resolveDir: staging,
      loader: "js",
    },
    absWorkingDir: staging,
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((input) => input.includes("dist/browser/sdk/index.js"))).toBe(true);
  expect(inputs.some((input) => input.includes("dist/node/"))).toBe(false);
  const code = new TextDecoder().decode(result.outputFiles[0]?.contents);
  expect(code).not.toMatch(/["']node:[a-z_/]+["']/);
});
