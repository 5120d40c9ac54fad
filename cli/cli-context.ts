import { readFile } from "node:fs/promises";
import { type Address, createWalletClient, type Hex, http, isHex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type Deployment, strataChain } from "#protocol";
import { StrataClient } from "../sdk/client/strata-client.ts";
import { CliError, chainUnreachable, ExitCode, UsageError } from "./cli-error.ts";
import { DEFAULT_DEPLOYMENT, loadDeployment, recordedRpcUrl } from "./deployment-file.ts";

export { DEFAULT_DEPLOYMENT, loadDeployment } from "./deployment-file.ts";

/** The JSON-RPC endpoint when neither a flag, the environment nor the deployment file names one. */
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** Options every command takes. `--rpc-url` and `--deployment` are filled by `resolveGlobals`. */
export const globalOptions = {
  "rpc-url": { type: "string" },
  deployment: { type: "string" },
  indexer: { type: "string", default: process.env.STRATA_INDEXER ?? "http://127.0.0.1:9200" },
  "key-file": { type: "string" },
  "poll-ms": { type: "string", default: process.env.STRATA_POLL_MS ?? "500" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export const globalHelp = `Global options:
  --rpc-url URL       JSON-RPC endpoint (env STRATA_RPC_URL; default: the one the deployment file
                      records, else ${DEFAULT_RPC_URL}); node commands take node.json's
  --deployment FILE   deployment file (env STRATA_DEPLOYMENT; default ${DEFAULT_DEPLOYMENT}, which
                      strata deploy and the devnet write); node commands take node.json's
  --indexer URL       indexer (env STRATA_INDEXER; default http://127.0.0.1:9200)
  --key-file FILE     the signing key, one 0x-hex line (or env STRATA_PRIVATE_KEY)
  --poll-ms MS        longest wait between receipt polls, about the block time (env STRATA_POLL_MS; default 500)
  --json              machine-readable output on stdout
  -h, --help          this help
Token amounts are decimal token amounts (200, 0.5), never base units.`;

export interface GlobalValues {
  "rpc-url": string;
  deployment: string;
  indexer: string;
  "key-file"?: string;
  "poll-ms": string;
  json: boolean;
}

/** Which of `--rpc-url` and `--deployment` were typed on the command line (not defaulted). */
export interface Given {
  rpcUrl: boolean;
  deployment: boolean;
}

/**
 * Fills `--deployment` (flag, STRATA_DEPLOYMENT, the default file) and then `--rpc-url` (flag,
 * STRATA_RPC_URL, the endpoint the deployment file records, the default), in place; returns
 * which were typed.
 */
export async function resolveGlobals(values: Record<string, unknown>): Promise<Given> {
  const given = { rpcUrl: values["rpc-url"] !== undefined, deployment: values.deployment !== undefined };
  values.deployment ??= process.env.STRATA_DEPLOYMENT || DEFAULT_DEPLOYMENT;
  values["rpc-url"] ??=
    process.env.STRATA_RPC_URL || (await recordedRpcUrl(values.deployment as string)) || DEFAULT_RPC_URL;
  return given;
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

/** The key of `--key-file` or STRATA_PRIVATE_KEY, if any. */
export async function privateKey(values: GlobalValues): Promise<Hex | undefined> {
  if (values["key-file"]) return readKeyFile(values["key-file"]);
  const raw = process.env.STRATA_PRIVATE_KEY;
  return raw === undefined ? undefined : parseKey(raw);
}

/** `--poll-ms` as a number. */
export function pollingMs(values: GlobalValues): number {
  const ms = Number(values["poll-ms"]);
  if (!Number.isFinite(ms) || ms < 1)
    throw new UsageError("--poll-ms must be a positive number of milliseconds");
  return ms;
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
  return new StrataClient({
    deployment,
    rpcUrl: values["rpc-url"],
    pollingIntervalMs: pollingMs(values),
    indexerUrl: values.indexer,
    ...(signer ? { signer } : {}),
  });
}

/**
 * A StrataClient whose chain was checked first: it answers at `--rpc-url` (else exit 5), is the
 * deployment's chain and holds its contracts (else exit 2, naming the fix).
 */
export async function chainClientFrom(
  values: GlobalValues,
  options: { signing: boolean },
): Promise<StrataClient> {
  const client = await clientFrom(values, options);
  await checkChain(client.publicClient, client.deployment, values);
  return client;
}

/** Throws a one-line CliError unless the chain at `--rpc-url` holds the deployment's contracts. */
export async function checkChain(
  publicClient: PublicClient,
  deployment: Deployment,
  values: Pick<GlobalValues, "rpc-url" | "deployment">,
): Promise<void> {
  const rpcUrl = values["rpc-url"];
  let chainId: number;
  let code: Hex | undefined;
  try {
    [chainId, code] = await Promise.all([
      publicClient.getChainId(),
      publicClient.getCode({ address: deployment.contracts.registry }),
    ]);
  } catch (error) {
    throw chainUnreachable(rpcUrl, error);
  }
  if (chainId !== deployment.chainId) {
    throw new CliError(
      "STRATA_ERR_WRONG_CHAIN",
      ExitCode.usage,
      `the chain at ${rpcUrl} has id ${chainId}, but ${values.deployment} is a deployment on chain ${deployment.chainId}: pass the matching --rpc-url or --deployment`,
    );
  }
  if (!code || code === "0x") {
    throw new CliError(
      "STRATA_ERR_NO_CONTRACTS",
      ExitCode.usage,
      `no Strata contracts at ${deployment.contracts.registry} on ${rpcUrl}: the chain was reset since ${values.deployment} was written (deploy again: strata deploy), or the file is another chain's`,
    );
  }
}

/** The address of the signing key, if one is given. */
export async function signerAddress(values: GlobalValues): Promise<Address | undefined> {
  const key = await privateKey(values);
  return key ? privateKeyToAccount(key).address : undefined;
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}
