// Deploys Strata to a chain and writes the deployment file nodes, indexer and SDK read.
//   node scripts/deploy.ts --rpc-url http://127.0.0.1:8545 --out .strata/deployment.json
// The deployer key is read from the file given by --key-file (one 0x-prefixed hex line); without
// it, the devnet's first account deploys (only sensible on a local chain).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, createWalletClient, defineChain, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { serializeDeployment } from "#protocol";
import { deployStrata, devnetParams } from "../sdk/deploy/deploy-strata.ts";
import { devnetAccount } from "../sdk/devnet/hardhat-chain.ts";

const { values } = parseArgs({
  options: {
    "rpc-url": { type: "string", default: "http://127.0.0.1:8545" },
    "key-file": { type: "string" },
    out: { type: "string", default: ".strata/deployment.json" },
  },
});
const root = join(import.meta.dirname, "..");
const account = values["key-file"]
  ? privateKeyToAccount((await readFile(values["key-file"], "utf8")).trim() as Hex)
  : devnetAccount(0);
const rpcUrl = values["rpc-url"] ?? "http://127.0.0.1:8545";
const transport = http(rpcUrl);
const chain = defineChain({
  id: await createPublicClient({ transport }).getChainId(),
  name: "strata",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } },
});
const publicClient = createPublicClient({ chain, transport });
const wallet = createWalletClient({ account, chain, transport });
const deployment = await deployStrata({ wallet, publicClient, params: devnetParams, root });
const out = join(process.cwd(), values.out ?? ".strata/deployment.json");
await mkdir(dirname(out), { recursive: true });
await writeFile(out, serializeDeployment(deployment));
console.log(`deployed Strata on chain ${deployment.chainId}; addresses in ${out}`);
