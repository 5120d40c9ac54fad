// `npm run build:sdk`: the SDK as a package in sdk/dist (sdk/package.json says what it exports),
// one ES module per source module so that a dApp's bundler keeps only the modules it uses:
//   dist/node/      sdk/ and the api/ and protocol/ modules it uses, compiled by tsc (JavaScript
//                   and declarations): the Node.js entry is dist/node/sdk/index.js
//   dist/browser/   the same JavaScript, each module that has a `*.browser.ts` twin replaced by
//                   it (no `node:` module, no addon): the `browser` condition's dist/browser/sdk/index.js
// Packages stay imports, for the installer (sdk/package.json's dependencies). The build fails if
// the browser entry reaches a `node:` module, if either entry imports a package sdk/package.json
// does not declare, or if a declaration refers to Node's own types.
import { execFile } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..");
export const SDK_DIR = join(ROOT, "sdk");

/** The entries of a built package in `outDir`, by platform. */
export function sdkEntries(outDir: string) {
  return {
    node: join(outDir, "node", "sdk", "index.js"),
    browser: join(outDir, "browser", "sdk", "index.js"),
  };
}

/**
 * Compiles sdk/index.ts, every module it reaches and every `*.browser.ts` twin with tsc
 * (sdk/tsconfig.build.json) into `outDir/node`, then makes `outDir/browser` from it with each
 * twin in place of its module. The twins export the same names with the same types (each checks
 * it with `typeof Node.x`), so both trees share the declarations of `outDir/node`.
 */
export async function compileSdk(outDir: string, options: { declarations?: boolean } = {}): Promise<void> {
  const nodeDir = join(outDir, "node");
  const browserDir = join(outDir, "browser");
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const args = ["-p", join(SDK_DIR, "tsconfig.build.json"), "--outDir", nodeDir];
  if (options.declarations === false) args.push("--declaration", "false");
  await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: ROOT, maxBuffer: 16 << 20 }).catch(
    (error: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${error.stdout ?? String(error)}`);
    },
  );
  const files = await filesUnder(nodeDir);
  for (const file of files.filter((name) => name.endsWith(".js"))) {
    const twin = /\.browser\.js$/.test(file);
    const target = join(browserDir, relative(nodeDir, twin ? file.replace(/\.browser\.js$/, ".js") : file));
    if (!twin && files.includes(file.replace(/\.js$/, ".browser.js"))) continue;
    await mkdir(dirname(target), { recursive: true });
    await copyFile(file, target);
  }
  for (const file of files.filter((name) => /\.browser\.(js|d\.ts)$/.test(name))) await rm(file);
  if (options.declarations !== false) await fixDeclarations(nodeDir);
}

/**
 * The imports the modules reachable from `entry` make of packages and built-ins (esbuild walks the
 * graph, every package left out).
 */
export async function packageImports(entry: string, platform: "node" | "browser"): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform,
    packages: "external",
    metafile: true,
    logLevel: "error",
  });
  return importsOf(result.metafile);
}

/** The packages a bundle imports (`node:` modules and builtins as written). */
export function importsOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) if (imported.external) found.add(imported.path);
  }
  return [...found].sort();
}

/** Whether `specifier` names a Node.js built-in module. */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0] as string);
}

/** The package a bare specifier is in: `@scope/name` or `name`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/** Throws unless the browser entry reaches no built-in and every import is a declared dependency. */
export async function checkImports(outDir: string): Promise<void> {
  const manifest = JSON.parse(await readFile(join(SDK_DIR, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const entries = sdkEntries(outDir);
  const browser = await packageImports(entries.browser, "browser");
  const builtins = browser.filter(isNodeBuiltin);
  if (builtins.length > 0) throw new Error(`the browser entry imports ${builtins.join(", ")}`);
  for (const [name, imports] of [
    ["node", await packageImports(entries.node, "node")],
    ["browser", browser],
  ] as const) {
    const missing = new Set(
      imports
        .filter((specifier) => !isNodeBuiltin(specifier))
        .map(packageOf)
        .filter((pkg) => !declared.has(pkg)),
    );
    if (missing.size > 0)
      throw new Error(`the ${name} entry imports ${[...missing].join(", ")}: not in sdk/package.json`);
  }
}

/** The declarations' relative `.ts` specifiers rewritten to `.js`, and checked to stand alone. */
async function fixDeclarations(dir: string): Promise<void> {
  for (const file of await filesUnder(dir)) {
    if (!file.endsWith(".d.ts")) continue;
    const text = await readFile(file, "utf8");
    const rewritten = text.replace(/((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g, "$1$2.js$3");
    const problem = /["']#protocol["']|["']node:[^"']*["']|\bNodeJS\.|[:<|,(]\s*Buffer\b/.exec(rewritten);
    if (problem)
      throw new Error(`${relative(ROOT, file)} refers to ${problem[0]}: declarations must stand alone`);
    if (rewritten !== text) await writeFile(file, rewritten);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** The whole package build into sdk/dist (or `outDir`); `declarations: false` for JavaScript alone. */
export async function buildSdk(options: { outDir?: string; declarations?: boolean } = {}): Promise<string> {
  const outDir = options.outDir ?? join(SDK_DIR, "dist");
  await rm(outDir, { recursive: true, force: true });
  await compileSdk(outDir, options.declarations === false ? { declarations: false } : {});
  await checkImports(outDir);
  return outDir;
}

/**
 * The package as a dApp installs it, under `dir/node_modules/@strata-network/sdk` (package.json
 * and dist, JavaScript alone): what `dir`'s code imports as "@strata-network/sdk". Returns the
 * package's folder.
 */
export async function stageSdkPackage(dir: string): Promise<string> {
  const packageDir = join(dir, "node_modules", "@strata-network", "sdk");
  await buildSdk({ outDir: join(packageDir, "dist"), declarations: false });
  await copyFile(join(SDK_DIR, "package.json"), join(packageDir, "package.json"));
  return packageDir;
}

if (import.meta.main) {
  const started = performance.now();
  await buildSdk();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `sdk/dist built in ${seconds} s: node/sdk/index.js (Node.js), browser/sdk/index.js, declarations`,
  );
}
