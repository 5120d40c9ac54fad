// The devnet: `npm start` (or `./run start`). Brings up a local Strata network on loopback and
// keeps it up until Ctrl-C.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startDevnet } from "../sdk/devnet/start-devnet.ts";

const { values } = parseArgs({
  options: {
    "chain-port": { type: "string", default: "8545" },
    "data-dir": { type: "string", default: ".strata/devnet" },
  },
});
const root = join(import.meta.dirname, "..");
const devnet = await startDevnet({
  root,
  dataDir: join(root, values["data-dir"] ?? ".strata/devnet"),
  chainPort: Number(values["chain-port"]),
});
const { contracts } = devnet.deployment;
console.log(`Strata devnet is up.
  chain (Hardhat, chain id ${devnet.deployment.chainId})  ${devnet.rpcUrl}
  token          ${contracts.token}
  node registry  ${contracts.registry}
  market         ${contracts.market}
  proof system   ${contracts.proofSystem}
  deployment     ${devnet.deploymentFile}
Ctrl-C stops everything.`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the devnet`);
  const timer = setTimeout(() => process.exit(1), 10_000);
  await devnet.stop();
  clearTimeout(timer);
  process.exit(0);
};
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));
