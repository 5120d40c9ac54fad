import { readdir, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { runNodeScript } from "./run-node-script.ts";

/** The artifacts `deployStrata` reads, relative to `artifacts/contracts/`. */
const NEEDED = [
  "token/StrataToken.sol/StrataToken.json",
  "registry/NodeRegistry.sol/NodeRegistry.json",
  "market/StorageMarket.sol/StorageMarket.json",
  "names/NameRegistry.sol/NameRegistry.json",
  "vaults/VaultRegistry.sol/VaultRegistry.json",
];

/** The newest modification time of the Solidity sources under `dir`. */
async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".sol")) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** True when an artifact `deployStrata` needs is missing or older than a contract source. */
export async function artifactsStale(root: string): Promise<boolean> {
  const times = await Promise.all(
    NEEDED.map((file) =>
      stat(join(root, "artifacts", "contracts", file)).then(
        (s) => s.mtimeMs,
        () => undefined,
      ),
    ),
  );
  if (times.some((t) => t === undefined)) return true;
  const oldest = Math.min(...(times as number[]));
  return (await newestSource(join(root, "contracts"))) > oldest;
}

/**
 * Compiles the contracts (`hardhat build`, the solc of the npm package: nothing is downloaded)
 * when an artifact `deployStrata` needs is missing or older than the sources; `log` hears why.
 */
export async function ensureContractArtifacts(
  root: string,
  options: { log?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<void> {
  if (!(await artifactsStale(root))) return;
  options.log?.("compiling the contracts (hardhat build)…");
  const { code, output } = await runNodeScript(
    join(root, "node_modules", "hardhat", "dist", "src", "cli.js"),
    ["build", "--no-tests", "--quiet"],
    { cwd: root, signal: options.signal },
  );
  if (code !== 0)
    throw new Error(`compiling the contracts failed (hardhat build exited ${code}): ${output.trim()}`);
  // hardhat leaves artifacts whose sources did not change as they were: mark them current
  const now = new Date();
  await Promise.all(NEEDED.map((file) => utimes(join(root, "artifacts", "contracts", file), now, now)));
}
