import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type Deployment, parseDeployment, serializeDeployment } from "#protocol";
import { CliError, ExitCode } from "./cli-error.ts";

/** The one deployment file every command reads by default; `strata deploy` and the devnet write it. */
export const DEFAULT_DEPLOYMENT = ".strata/deployment.json";

/** The deployment in `path`; a one-line CliError (exit 2) naming the fix when missing or malformed. */
export async function loadDeployment(path: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new CliError(
      "STRATA_ERR_NO_DEPLOYMENT",
      ExitCode.usage,
      `no deployment file at ${path}: deploy the contracts (strata deploy --rpc-url URL --key-file KEY), start the devnet (./run start), or pass --deployment FILE (STRATA_DEPLOYMENT)`,
    );
  }
  try {
    return parseDeployment(text);
  } catch (error) {
    throw new CliError(
      "STRATA_ERR_NO_DEPLOYMENT",
      ExitCode.usage,
      `${path} is not a deployment file (${(error as Error).message}): write it again with strata deploy`,
    );
  }
}

/** The JSON-RPC endpoint `strata deploy` recorded in the deployment file at `path`, if any. */
export async function recordedRpcUrl(path: string): Promise<string | undefined> {
  try {
    const { rpcUrl } = JSON.parse(await readFile(path, "utf8")) as { rpcUrl?: unknown };
    return typeof rpcUrl === "string" && /^(https?|wss?):\/\//.test(rpcUrl) ? rpcUrl : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes `deployment` to `path` (atomically, its folder made), with the JSON-RPC endpoint it was
 * deployed through recorded beside it: commands that are given no `--rpc-url` use it.
 */
export async function writeDeployment(path: string, deployment: Deployment, rpcUrl: string): Promise<void> {
  const json = { ...(JSON.parse(serializeDeployment(deployment)) as object), rpcUrl };
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  await writeFile(partial, `${JSON.stringify(json, null, 2)}\n`);
  await rename(partial, path);
}
