// `npm run bench:sdk-bundle`: what the SDK weighs in a dApp's page. Builds the package (as
// `npm run build:sdk` does) and installs it in a scratch folder, then bundles small dApps that
// import "@strata-network/sdk" the way a dApp's bundler would (esbuild: the `browser` condition,
// minified, every package included, unused modules left out) and prints each bundle's bytes and
// gzip bytes, with the packages that weigh most.
import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { stageSdkPackage } from "../scripts/build-sdk.ts";

const ROOT = resolve(import.meta.dirname, "..");

/** The dApps measured: each a page's script. */
export const DAPPS = {
  /** Upload a File from the page with the user's wallet, read it back verified (whole and a range). */
  "upload + get": `
    import { StrataClient } from "@strata-network/sdk";
    const strata = new StrataClient({ deployment: window.deployment, rpcUrl: "/rpc", indexerUrl: "/indexer", signer: window.ethereum });
    const file = document.querySelector("input").files[0];
    const { cid } = await strata.upload(file, { onProgress: (p) => console.log(p.stage, p.bytes, p.total) });
    console.log(await strata.get(cid), await strata.get(cid, { range: { offset: 0, length: 1024 } }));
  `,
  /** The same with the actions alone over a context (what tree-shaking keeps of the client). */
  "actions: upload + get": `
    import { createStrataContext, upload, get } from "@strata-network/sdk";
    const ctx = createStrataContext({ deployment: window.deployment, rpcUrl: "/rpc", indexerUrl: "/indexer", signer: window.ethereum });
    const { cid } = await upload(ctx, { source: document.querySelector("input").files[0] });
    console.log(await get(ctx, { cid }));
  `,
  /** Everything the SDK exports. */
  "the whole SDK": `
    import * as sdk from "@strata-network/sdk";
    window.sdk = sdk;
  `,
} as const;

export interface BundleSize {
  bytes: number;
  gzipBytes: number;
  /** Gzip bytes with viem left out: what the SDK adds to a dApp that has viem already. */
  gzipBytesBesidesViem: number;
  /** Minified bytes per package (and "strata" for the SDK itself), largest first. */
  packages: [string, number][];
}

/** Bundles `source` for the browser from `dir` (where the package is installed); its sizes. */
export async function measureDapp(source: string, dir: string): Promise<BundleSize> {
  const bundle = (external: string[]) =>
    build({
      stdin: { contents: source, resolveDir: dir, loader: "js" },
      absWorkingDir: dir,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      write: false,
      metafile: true,
      legalComments: "none",
      logLevel: "error",
      external,
    });
  const gzip = (code: Uint8Array) => gzipSync(code, { level: 9 }).length;
  const whole = await bundle([]);
  const code = whole.outputFiles[0]?.contents ?? new Uint8Array();
  const besides = (await bundle(["viem", "viem/*"])).outputFiles[0]?.contents ?? new Uint8Array();
  return {
    bytes: code.length,
    gzipBytes: gzip(code),
    gzipBytesBesidesViem: gzip(besides),
    packages: byPackage(whole.metafile),
  };
}

function byPackage(metafile: Metafile): [string, number][] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = !match || match[1] === "@strata-network/sdk" ? "strata" : (match[1] as string);
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

if (import.meta.main) {
  const dir = join(ROOT, ".strata", `sdk-bundle-${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    await stageSdkPackage(dir);
    for (const [name, source] of Object.entries(DAPPS)) {
      const size = await measureDapp(source, dir);
      console.log(
        `${name}: ${size.bytes} bytes (${kib(size.bytes)}), gzip ${size.gzipBytes} bytes (${kib(size.gzipBytes)}); ` +
          `besides viem: gzip ${size.gzipBytesBesidesViem} bytes (${kib(size.gzipBytesBesidesViem)})`,
      );
      const top = size.packages.slice(0, 8).map(([pkg, bytes]) => `${pkg} ${kib(bytes)}`);
      console.log(`  largest (minified): ${top.join(", ")}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
