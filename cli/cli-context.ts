import { readFile } from "node:fs/promises";
import { createWalletClient, type Hex, http, isHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type Deployment, parseDeployment, strataChain } from "#protocol";
import { StrataClient } from "../sdk/client/strata-client.ts";
import { UsageError } from "./cli-error.ts";

/** Options every command takes. */
export const globalOptions = {
  "rpc-url": { type: "string", default: process.env.STRATA_RPC_URL ?? "http://127.0.0.1:8545" },
  deployment: { type: "string", default: process.env.STRATA_DEPLOYMENT ?? ".strata/devnet/deployment.json" },
  indexer: { type: "string", default: process.env.STRATA_INDEXER ?? "http://127.0.0.1:9200" },
  "key-file": { type: "string" },
  "poll-ms": { type: "string", default: process.env.STRATA_POLL_MS ?? "500" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export const globalHelp = `Global options:
  --rpc-url URL       JSON-RPC endpoint (env STRATA_RPC_URL; default http://127.0.0.1:8545)
  --deployment FILE   deployment file (env STRATA_DEPLOYMENT; default .strata/devnet/deployment.json)
  --indexer URL       indexer (env STRATA_INDEXER; default http://127.0.0.1:9200)
  --key-file FILE     the signing key, one 0x-hex line (or env STRATA_PRIVATE_KEY)
  --poll-ms MS        longest wait between receipt polls, about the block time (env STRATA_POLL_MS; default 500)
  --json              machine-readable output on stdout
  -h, --help          this help`;

export interface GlobalValues {
  "rpc-url": string;
  deployment: string;
  indexer: string;
  "key-file"?: string;
  "poll-ms": string;
  json: boolean;
}

export async function loadDeployment(path: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`no deployment file at ${path} (start the devnet, or pass --deployment)`);
  }
  return parseDeployment(text);
}

/** A 32-byte private key as 0x-hex, from the text of a key file or the environment. */
function parseKey(raw: string): Hex {
  const key = raw.trim();
  if (!isHex(key) || key.length !== 66)
    throw new UsageError("the private key must be 32 bytes of 0x-prefixed hex");
  return key;
}

/** The key in `path` (one 0x-hex line). */
export async function readKeyFile(path: string): Promise<Hex> {
  const raw = await readFile(path, "utf8").catch(() => {
    throw new UsageError(`cannot read key file ${path}`);
  });
  return parseKey(raw);
}

async function privateKey(values: GlobalValues): Promise<Hex | undefined> {
  if (values["key-file"]) return readKeyFile(values["key-file"]);
  const raw = process.env.STRATA_PRIVATE_KEY;
  return raw === undefined ? undefined : parseKey(raw);
}

/** A StrataClient from the global options; `signing` demands a key. */
export async function clientFrom(values: GlobalValues, options: { signing: boolean }): Promise<StrataClient> {
  const deployment = await loadDeployment(values.deployment);
  const key = await privateKey(values);
  if (options.signing && !key) {
    throw new UsageError("this command signs transactions: pass --key-file or set STRATA_PRIVATE_KEY");
  }
  const chain = strataChain(deployment.chainId, values["rpc-url"]);
  const signer = key
    ? createWalletClient({ account: privateKeyToAccount(key), chain, transport: http(values["rpc-url"]) })
    : undefined;
  const pollingIntervalMs = Number(values["poll-ms"]);
  if (!Number.isFinite(pollingIntervalMs) || pollingIntervalMs < 1)
    throw new UsageError("--poll-ms must be a positive number of milliseconds");
  return new StrataClient({
    deployment,
    rpcUrl: values["rpc-url"],
    pollingIntervalMs,
    indexerUrl: values.indexer,
    ...(signer ? { signer } : {}),
  });
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}
