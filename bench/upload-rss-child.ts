// The uploading side of bench/upload-rss.ts, in a process of its own so that its peak RSS is the
// SDK's alone: uploads one file through StrataClient and prints `{ peakRssMiB, ms, blobId }`.
//   node bench/upload-rss-child.ts <rpcUrl> <indexerUrl> <deploymentFile> <privateKey> <file> <replicas>
import { readFile } from "node:fs/promises";
import { createWalletClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseDeployment, strataChain } from "#protocol";
import { StrataClient } from "../sdk/client/strata-client.ts";

const [rpcUrl, indexerUrl, deploymentFile, key, file, replicas] = process.argv.slice(2) as string[];
const deployment = parseDeployment(await readFile(deploymentFile as string, "utf8"));
const chain = strataChain(deployment.chainId, rpcUrl as string);
const client = new StrataClient({
  deployment,
  rpcUrl: rpcUrl as string,
  indexerUrl: indexerUrl as string,
  signer: createWalletClient({
    account: privateKeyToAccount(key as Hex),
    chain,
    transport: http(rpcUrl as string),
  }),
});
const started = performance.now();
const result = await client.upload(file as string, { replicas: Number(replicas) });
const ms = Math.round(performance.now() - started);
// maxRSS is in KiB
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ peakRssMiB, ms, blobId: result.blobId })}\n`);
