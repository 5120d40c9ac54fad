import { mkdir, readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { nodeRegistryAbi } from "#protocol";
import { chainClientFrom } from "../cli-context.ts";
import { CliError, ExitCode, UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { requireFreePorts } from "../free-ports.ts";
import { readNodeFile, useNodeFile } from "../node-file.ts";
import { readStanding } from "../node-standing.ts";
import { describeServiceFailure } from "../service-failure.ts";

/**
 * The service runs in this very process (no child to orphan: a kill -9 of `strata` is a kill -9
 * of the service). It ends the process itself; an end that is not its own doing is a failure.
 */
async function runForever(): Promise<never> {
  process.exitCode = ExitCode.failed;
  return new Promise<never>(() => undefined);
}

/** A fatal error of the service, on stderr as one line naming the fix. */
function fatalLine(command: string, setting: { rpcUrl: string; config: string }) {
  return (error: unknown, exitCode: number) =>
    process.stderr.write(`strata ${command}: ${describeServiceFailure(error, setting)} (exit ${exitCode})\n`);
}

export const nodeStart: Command = {
  name: "node start",
  summary: "Run the storage node of a node.json in this process (Ctrl-C stops it)",
  help: `strata node start --config node.json
Checks the chain, the registration and the signing key first; warns when the node is below the
minimum stake or its signing key has no gas. Exit codes: 0 stopped by SIGINT/SIGTERM, 1 crashed,
2 bad configuration (not registered, another signing key), 5 chain unreachable. The node runs in
this process: killing it (even with SIGKILL) stops the node.`,
  options: { config: { type: "string" } },
  service: true,
  async run({ values, given, warn }) {
    if (!values.config) throw new UsageError("--config is required (the node.json strata node init wrote)");
    const node = await readNodeFile(values.config as string);
    useNodeFile(values, given, node);
    if (node.nodeId === 0)
      throw new CliError(
        "STRATA_ERR_NOT_REGISTERED",
        ExitCode.usage,
        `${node.path} has no node id yet: register the node first (strata node register --config ${node.path} --key-file OPERATOR_KEY)`,
      );
    await requireFreePorts([
      { host: node.httpHost, port: node.httpPort, setting: `http.port in ${node.path}` },
      { host: "0.0.0.0", port: node.p2pPort, setting: `p2p.port in ${node.path}` },
    ]);
    const client = await chainClientFrom(values, { signing: false });
    const [, signer] = await client.publicClient.readContract({
      address: client.deployment.contracts.registry,
      abi: nodeRegistryAbi,
      functionName: "nodeAccounts",
      args: [node.nodeId],
    });
    if (signer.toLowerCase() !== node.signer.toLowerCase())
      throw new CliError(
        "STRATA_ERR_NODE_MISMATCH",
        ExitCode.usage,
        `the registry's node ${node.nodeId} signs with ${signer}, not node.json's key ${node.signer}: rotate it (strata node update --config ${node.path}) or fix nodeId in node.json`,
      );
    const standing = await readStanding(client, node.nodeId);
    if (standing.standing !== "active")
      warn(
        `node ${node.nodeId} is ${standing.standing}: it serves what it holds, but no new blobs are placed on it${standing.standing === "below minimum stake" ? ` (strata node stake --config ${node.path} --amount N)` : ""}`,
      );
    if ((await client.publicClient.getBalance({ address: node.signer })) === 0n)
      warn(
        `the node's signing key ${node.signer} has no gas: uploads to it fail and it cannot prove until it has some (strata node register --config ${node.path} --fund-signer 0.1)`,
      );
    const [{ runProcess }, { loadNodeConfig }, errors, { startStorageNode }, { tuneHeapForStreaming }] =
      await Promise.all([
        import("../../service/run-process.ts"),
        import("../../node/config.ts"),
        import("../../node/errors.ts"),
        import("../../node/storage-node.ts"),
        import("../../node/tune-heap.ts"),
      ]);
    await runProcess({
      name: "strata-node",
      loadConfig: () => loadNodeConfig(node.path),
      start: async (config, logger) => {
        const started = await startStorageNode(config, { logger });
        tuneHeapForStreaming();
        return started;
      },
      errors: {
        config: [errors.ConfigError, errors.DatastoreSpecMismatchError, errors.ShardFunctionMismatchError],
        unreachable: [errors.ChainUnavailableError],
      },
      onFatal: fatalLine("node start", { rpcUrl: node.rpcUrl, config: node.path }),
    });
    await runForever();
  },
};

export const indexerStart: Command = {
  name: "indexer start",
  summary: "Run the indexer in this process (Ctrl-C stops it)",
  help: `strata indexer start [--config indexer.json] [--database FILE] [--host HOST] [--port PORT]
  --config FILE       the indexer's JSON configuration (README, "Running the indexer"); the flags
                      below override it
  --database FILE     its SQLite file (default .strata/indexer.db)
  --host HOST         HTTP listen address (default 127.0.0.1)
  --port PORT         HTTP port (default 9200)
  --confirmations N   blocks it stays behind the head (default 2)
Without --config it follows --rpc-url and --deployment. Exit codes: 0 stopped by SIGINT/SIGTERM,
1 crashed or a reorg deeper than its window, 2 bad configuration, 5 chain unreachable.`,
  options: {
    config: { type: "string" },
    database: { type: "string" },
    host: { type: "string" },
    port: { type: "string" },
    confirmations: { type: "string" },
  },
  service: true,
  async run({ values, given }) {
    let file: Record<string, unknown> = {};
    if (values.config) {
      const path = resolve(values.config as string);
      try {
        file = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
      } catch (error) {
        throw new CliError(
          "STRATA_ERR_INDEXER_CONFIG",
          ExitCode.usage,
          `cannot read ${path}: ${(error as Error).message}`,
        );
      }
      if (typeof file.rpcUrl === "string" && !given.rpcUrl) values["rpc-url"] = file.rpcUrl;
      if (typeof file.deploymentFile === "string" && !given.deployment)
        values.deployment = file.deploymentFile;
    }
    const http = { ...((file.http as object) ?? {}) } as { host?: string; port?: number };
    if (values.host !== undefined) http.host = values.host as string;
    if (values.port !== undefined) {
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be a TCP port, got ${values.port}`);
      http.port = port;
    }
    const partial: Record<string, unknown> = {
      ...file,
      rpcUrl: values["rpc-url"],
      deploymentFile: resolve(values.deployment),
      database: resolve(
        (values.database as string | undefined) ??
          (file.database as string | undefined) ??
          ".strata/indexer.db",
      ),
      http,
      ...(values.confirmations !== undefined ? { confirmations: Number(values.confirmations) } : {}),
    };
    await requireFreePorts([
      {
        host: http.host ?? "127.0.0.1",
        port: http.port ?? 9200,
        setting: values.config ? `http.port in ${resolve(values.config as string)}` : "--port",
      },
    ]);
    await chainClientFrom(values, { signing: false });
    const [{ runProcess }, { parseIndexerConfig, withDefaults }, errors, { startIndexer }] =
      await Promise.all([
        import("../../service/run-process.ts"),
        import("../../indexer/config.ts"),
        import("../../indexer/errors.ts"),
        import("../../indexer/indexer.ts"),
      ]);
    await mkdir(dirname(partial.database as string), { recursive: true });
    await runProcess({
      name: "strata-indexer",
      loadConfig: async () => parseIndexerConfig(withDefaults(partial)),
      start: (config, logger) => startIndexer(config, { logger }),
      ended: (indexer) => indexer.syncing,
      errors: {
        config: [errors.ConfigError, errors.WrongDatabaseError],
        unreachable: [errors.ChainUnavailableError],
      },
      onFatal: fatalLine("indexer start", {
        rpcUrl: values["rpc-url"],
        config: values.config ? resolve(values.config as string) : "the flags (--port, --host)",
      }),
    });
    await runForever();
  },
};
