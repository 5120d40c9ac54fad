import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { serializeDeployment, strataChain } from "#protocol";
import { deployStrata, devnetParams } from "../../devnet/deploy-strata.ts";
import { devnetAccount, devnetKey } from "../../devnet/hardhat-chain.ts";
import { FIRST_DAPP_ACCOUNT, startDevnet } from "../../devnet/start-devnet.ts";
import { readKeyFile } from "../cli-context.ts";
import { UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";

const ROOT = join(import.meta.dirname, "..", "..");

export const devnet: Command = {
  name: "devnet",
  summary: "Run a local network: chain, contracts, staked storage nodes, indexer; then upload a file",
  help: `strata devnet [options]
  --nodes N            storage nodes (default 3)
  --data-dir DIR       where everything lives (default .strata/devnet; wiped at start)
  --chain-port P       JSON-RPC port (default 8545); nodes on 9101.., the indexer on 9200
  --fault MODE         make the last node misbehave: stop-proving, or drop-data (loses --drop of each blob)
  --drop FRACTION      for drop-data (default 0.5)
  --no-demo            skip the demonstration upload`,
  options: {
    nodes: { type: "string" },
    "data-dir": { type: "string" },
    "chain-port": { type: "string" },
    fault: { type: "string" },
    drop: { type: "string" },
    "no-demo": { type: "boolean", default: false },
  },
  async run({ values, signal, print }) {
    const count = Number(values.nodes ?? 3);
    if (!Number.isInteger(count) || count < 1 || count > 9) throw new UsageError("--nodes takes 1 to 9");
    const fault = values.fault as string | undefined;
    if (fault !== undefined && fault !== "stop-proving" && fault !== "drop-data") {
      throw new UsageError("--fault takes stop-proving or drop-data");
    }
    const drop = Number(values.drop ?? 0.5);
    if (!(drop > 0 && drop <= 1)) throw new UsageError("--drop takes a fraction in (0, 1]");
    const dataDir = resolve((values["data-dir"] as string | undefined) ?? ".strata/devnet");
    const chainPort = Number(values["chain-port"] ?? 8545);
    process.stderr.write("starting the devnet (chain, contracts, nodes, indexer)…\n");
    const net = await startDevnet({
      root: ROOT,
      dataDir,
      chainPort,
      nodes: count,
      ...(fault ? { fault: { node: count - 1, mode: fault, dropFraction: drop } } : {}),
      signal,
    });
    const stopping = new Promise<void>((done) =>
      signal.addEventListener("abort", () => done(), { once: true }),
    );
    try {
      const dappKey = devnetKey(FIRST_DAPP_ACCOUNT);
      const { contracts } = net.deployment;
      print(
        [
          "Strata devnet is up.",
          `  chain      ${net.rpcUrl} (Hardhat, chain id ${net.deployment.chainId}, a block a second)`,
          `  token      ${contracts.token}`,
          `  registry   ${contracts.registry}`,
          `  market     ${contracts.market}`,
          `  proofs     ${contracts.proofSystem}`,
          `  names      ${contracts.names}`,
          `  vaults     ${contracts.vaults}`,
          ...net.nodes.map(
            (n) =>
              `  node ${n.nodeId}     ${n.url}${n.fault ? `  (fault: ${n.fault})` : ""}  log ${n.service.logFile}`,
          ),
          `  indexer    ${net.indexerUrl}  log ${net.indexer.logFile}`,
          `  deployment ${net.deploymentFile}`,
          "",
          "Try an upload (a funded devnet dApp key; devnet only):",
          `  export STRATA_PRIVATE_KEY=${dappKey}`,
          "  ./strata upload README.md --replicas 3 && ./strata ls",
          "Ctrl-C stops everything.",
        ].join("\n"),
        {
          rpcUrl: net.rpcUrl,
          deployment: net.deployment,
          deploymentFile: net.deploymentFile,
          nodes: net.nodes.map(({ nodeId, url, fault }) => ({ nodeId, url, fault })),
          indexerUrl: net.indexerUrl,
          dappKey,
        },
      );
      if (!values["no-demo"]) {
        const client = net.dappClient(0);
        const data = randomBytes(4 << 20);
        const started = performance.now();
        const uploaded = await client.upload(data, {
          replicas: Math.min(3, count),
          name: "demo.bin",
          tags: ["demo"],
          signal,
        });
        const seconds = (performance.now() - started) / 1000;
        const back = await client.get(uploaded.cid, { signal });
        const same = Buffer.compare(back, data) === 0;
        process.stderr.write(
          `demo: uploaded 4 MiB to nodes ${uploaded.nodes.map((n) => n.nodeId).join(", ")} and certified in ${seconds.toFixed(1)} s ` +
            `(blob ${uploaded.blobId}, CID ${uploaded.cid}); read back through the indexer: ${same ? "identical" : "DIFFERENT"}\n`,
        );
        if (!same) throw new Error("the demo read back different bytes");
      }
      if (process.env.STRATA_DEVNET_EXIT_AFTER_DEMO === "1") return;
      await stopping;
    } finally {
      process.stderr.write("stopping the devnet…\n");
      await net.stop();
    }
  },
};

export const deploy: Command = {
  name: "deploy",
  summary: "Deploy the Strata contracts to a chain and write the deployment file",
  help: `strata deploy [--rpc-url URL] [--key-file FILE] [--out FILE]
  --key-file FILE   the deployer's key (default: the devnet's first account; only sensible locally)
  --out FILE        deployment file to write (default .strata/deployment.json)`,
  options: { out: { type: "string" } },
  async run({ values, print }) {
    const rpcUrl = values["rpc-url"];
    const account = values["key-file"]
      ? privateKeyToAccount(await readKeyFile(values["key-file"]))
      : devnetAccount(0);
    const transport = http(rpcUrl);
    const chain = strataChain(await createPublicClient({ transport }).getChainId(), rpcUrl);
    const deployment = await deployStrata({
      wallet: createWalletClient({ account, chain, transport }),
      publicClient: createPublicClient({ chain, transport }),
      params: devnetParams,
      root: ROOT,
    });
    const out = resolve((values.out as string | undefined) ?? ".strata/deployment.json");
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, serializeDeployment(deployment));
    print(`deployed Strata on chain ${deployment.chainId}; addresses in ${out}`, { deployment, file: out });
  },
};
