import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Deployment, serializeDeployment } from "#protocol";
import { type NodeConfig, nodeConfigDefaults, parseNodeConfig } from "../node/config.ts";
import { type StorageNode, startStorageNode } from "../node/storage-node.ts";
import { createLogger } from "../service/logger.ts";
import { serveProvider } from "./serve-provider.ts";
import { nodeParams, type StrataHarness, signerKey, type TestNode } from "./strata-fixture.ts";
import { tempDir } from "./temp-dir.ts";

export function nodeConfig(options: {
  rpcUrl: string;
  deploymentFile: string;
  node: TestNode;
  index: number;
  dataDir: string;
  overrides?: Partial<NodeConfig>;
}): NodeConfig {
  return parseNodeConfig({
    ...nodeConfigDefaults,
    rpcUrl: options.rpcUrl,
    deploymentFile: options.deploymentFile,
    nodeId: options.node.nodeId,
    signerKey: signerKey(options.index),
    dataDir: options.dataDir,
    http: { host: "127.0.0.1", port: 0 },
    prover: { enabled: true, pollMs: 200, watchdog: false },
    // the harness's chain mines only on transactions: a release waits for no block that may not come
    chain: { confirmations: 0, pollingMs: 100, receiptTimeoutMs: 10_000 },
    storage: { ...nodeConfigDefaults.storage, gcPeriodMs: 60_000 },
    logLevel: process.env.STRATA_TEST_LOG ?? "silent",
    ...options.overrides,
  });
}

/**
 * Storage nodes in this process over a real chain: the harness's in-process Hardhat chain served
 * as JSON-RPC on loopback, a deployment file, and one data directory per node.
 */
export async function startNodes(
  h: StrataHarness,
  deployment: Deployment,
  nodes: TestNode[],
  overrides: (index: number) => Partial<NodeConfig> = () => ({}),
) {
  const rpc = await serveProvider(h.connection.provider);
  const dir = await tempDir("nodes");
  const deploymentFile = join(dir.path, "deployment.json");
  await writeFile(deploymentFile, serializeDeployment(deployment));
  const logger = createLogger(process.env.STRATA_TEST_LOG ?? "silent");
  const running: StorageNode[] = [];
  const configs: NodeConfig[] = [];
  for (const [index, node] of nodes.entries()) {
    const config = nodeConfig({
      rpcUrl: rpc.url,
      deploymentFile,
      node,
      index,
      dataDir: join(dir.path, `node-${index}`),
      overrides: overrides(index),
    });
    const started = await startStorageNode(config, { logger });
    // the registry names the node's real endpoint, peer id and addresses (nodes and stock IPFS
    // clients find it there), and a restart keeps its port
    config.http.port = Number(new URL(started.url).port);
    await h.wait(
      await node.as.registry.write.update([
        node.nodeId,
        nodeParams(node.signer.address, index, {
          pricePerByteEpoch: node.price,
          endpoint: started.url,
          peerId: started.peerId,
          multiaddrs: started.multiaddrs,
        }),
      ]),
    );
    configs.push(config);
    running.push(started);
  }
  return {
    rpcUrl: rpc.url,
    deploymentFile,
    dir: dir.path,
    nodes: running,
    configs,
    logger,
    async restart(index: number, changes: Partial<NodeConfig> = {}) {
      await running[index]?.stop();
      const config = { ...(configs[index] as NodeConfig), ...changes };
      running[index] = await startStorageNode(config, { logger });
      return running[index] as StorageNode;
    },
    async stop() {
      for (const node of running) await node.stop();
      await rpc.close();
      await dir.cleanup();
    },
  };
}
