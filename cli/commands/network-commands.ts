import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { DEFAULT_DEPLOYMENT, loadDeployment } from "../cli-context.ts";
import { UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { writeDeployment } from "../deployment-file.ts";

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
  --no-demo            skip the demonstration upload
Compiles the contracts first if needed. The deployment is also written to ${DEFAULT_DEPLOYMENT}, the
file every command reads (unless that file is a deployment on another chain).`,
  options: {
    nodes: { type: "string" },
    "data-dir": { type: "string" },
    "chain-port": { type: "string" },
    fault: { type: "string" },
    drop: { type: "string" },
    "no-demo": { type: "boolean", default: false },
  },
  async run({ values, signal, print, warn }) {
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
    const { ensureContractArtifacts } = await import("../../devnet/contract-artifacts.ts");
    await ensureContractArtifacts(ROOT, { signal, log: (line) => process.stderr.write(`${line}\n`) });
    const { ensureConsoleBuild } = await import("../../devnet/console-build.ts");
    // the console is a convenience: a failed build leaves the devnet without it, not down
    await ensureConsoleBuild(ROOT, { signal, log: (line) => process.stderr.write(`${line}\n`) }).catch(
      (error: Error) => warn(`the web console was not built: ${error.message.split("\n")[0]}`),
    );
    const { devnetKey } = await import("../../devnet/hardhat-chain.ts");
    const { FIRST_DAPP_ACCOUNT, startDevnet } = await import("../../devnet/start-devnet.ts");
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
      // the devnet's deployment is where every command looks by default, unless another chain's is there
      let deploymentFile = resolve(DEFAULT_DEPLOYMENT);
      const previous = await loadDeployment(deploymentFile).catch(() => undefined);
      if (previous && previous.chainId !== net.deployment.chainId) {
        warn(`${deploymentFile} is a deployment on chain ${previous.chainId}: left as it is`);
        deploymentFile = net.deploymentFile;
      } else if (deploymentFile !== net.deploymentFile) {
        await writeDeployment(deploymentFile, net.deployment, net.rpcUrl);
      }
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
          `  console    ${net.consoleUrl}`,
          `  deployment ${deploymentFile}${deploymentFile === resolve(DEFAULT_DEPLOYMENT) ? "" : " (pass it as --deployment)"}`,
          "",
          "Try an upload (a funded devnet dApp key; devnet only):",
          `  export STRATA_PRIVATE_KEY=${dappKey}`,
          "  ./strata upload README.md --replicas 3 && ./strata ls",
          "Ctrl-C stops everything.",
        ].join("\n"),
        {
          rpcUrl: net.rpcUrl,
          deployment: net.deployment,
          deploymentFile,
          nodes: net.nodes.map(({ nodeId, url, fault }) => ({ nodeId, url, fault })),
          indexerUrl: net.indexerUrl,
          consoleUrl: net.consoleUrl,
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
