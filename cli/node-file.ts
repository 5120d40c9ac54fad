import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type Address, type Hex, isHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Given, GlobalValues } from "./cli-context.ts";
import { CliError, ExitCode, UsageError } from "./cli-error.ts";

/** What the operator commands read from a node's `node.json` (written by `strata node init`). */
export interface NodeFile {
  /** Absolute path of node.json. */
  path: string;
  /** The registered node id; 0 before `strata node register`. */
  nodeId: number;
  rpcUrl: string;
  deploymentFile: string;
  dataDir: string;
  signerKey: Hex;
  signer: Address;
  /** Where clients reach the node, as registered (or to be). */
  endpoint: string | undefined;
  httpHost: string;
  httpPort: number;
  p2pPort: number;
}

/** Reads `path`; a one-line CliError (exit 2) naming the fix when it is missing or incomplete. */
export async function readNodeFile(path: string): Promise<NodeFile> {
  const absolute = resolve(path);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(absolute, "utf8")) as Record<string, unknown>;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new CliError(
      "STRATA_ERR_NODE_CONFIG",
      ExitCode.usage,
      missing
        ? `no node configuration at ${absolute}: make one with strata node init --data-dir DIR`
        : `${absolute} is not JSON (${(error as Error).message}): fix it or make it again with strata node init`,
    );
  }
  const bad = (what: string) =>
    new CliError(
      "STRATA_ERR_NODE_CONFIG",
      ExitCode.usage,
      `${absolute}: ${what} (strata node init writes it)`,
    );
  const text = (key: string) => {
    const value = raw[key];
    if (typeof value !== "string" || value === "") throw bad(`${key} is missing`);
    return value;
  };
  const dir = dirname(absolute);
  let key: string;
  if (typeof raw.signerKey === "string") key = raw.signerKey;
  else {
    const keyFile = resolve(dir, text("signerKeyFile"));
    key = await readFile(keyFile, "utf8").catch(() => {
      throw bad(`the signing key file ${keyFile} cannot be read`);
    });
  }
  key = key.trim();
  if (!isHex(key) || key.length !== 66) throw bad("the signing key is not 32 bytes of 0x-hex");
  const nodeId = raw.nodeId === undefined ? 0 : Number(raw.nodeId);
  if (!Number.isInteger(nodeId) || nodeId < 0) throw bad("nodeId is not a whole number");
  const http = (raw.http ?? {}) as { host?: unknown; port?: unknown };
  const p2p = (raw.p2p ?? {}) as { port?: unknown };
  return {
    path: absolute,
    nodeId,
    rpcUrl: text("rpcUrl"),
    deploymentFile: resolve(text("deploymentFile")),
    dataDir: resolve(dir, text("dataDir")),
    signerKey: key as Hex,
    signer: privateKeyToAccount(key as Hex).address,
    endpoint: typeof raw.endpoint === "string" ? raw.endpoint : undefined,
    httpHost: typeof http.host === "string" ? http.host : "127.0.0.1",
    httpPort: Number(http.port ?? 9100),
    p2pPort: Number(p2p.port ?? 0),
  };
}

/** Writes the registered id into node.json, leaving the rest as it is. */
export async function writeNodeId(path: string, nodeId: number): Promise<void> {
  const raw = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  const partial = `${path}.partial`;
  await writeFile(partial, `${JSON.stringify({ ...raw, nodeId }, null, 2)}\n`);
  await rename(partial, path);
}

/**
 * Points the command at node.json's chain and deployment: its `rpcUrl` and `deploymentFile`
 * replace the defaults; a `--rpc-url` or `--deployment` typed that contradicts them is refused.
 */
export function useNodeFile(values: GlobalValues, given: Given, node: NodeFile): void {
  if (given.deployment && resolve(values.deployment) !== node.deploymentFile)
    throw new UsageError(
      `${node.path} uses the deployment ${node.deploymentFile}, not ${values.deployment}: drop --deployment, or edit deploymentFile in node.json`,
    );
  if (given.rpcUrl && values["rpc-url"] !== node.rpcUrl)
    throw new UsageError(
      `${node.path} uses the chain at ${node.rpcUrl}, not ${values["rpc-url"]}: drop --rpc-url, or edit rpcUrl in node.json`,
    );
  values.deployment = node.deploymentFile;
  values["rpc-url"] = node.rpcUrl;
}
