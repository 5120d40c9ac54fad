import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { createWalletClient, http, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import type { Deployment } from "#protocol";
import { initNode, setNodeId } from "../node/setup/init-node.ts";
import { StrataClient } from "../sdk/client/strata-client.ts";
import { type DeployParams, devnetParams } from "./deploy-strata.ts";
import { devnetAccount, type HardhatChain } from "./hardhat-chain.ts";
import { answers, type Service, spawnService } from "./spawn-service.ts";
import { startLocalChain } from "./start-local-chain.ts";

/** Devnet accounts: 0 deploys, 1..9 operate nodes, 10.. are dApps funded with tokens. */
export const FIRST_DAPP_ACCOUNT = 10;
const DAPP_ACCOUNTS = 3;
const DAPP_FUNDS = 100_000n * 10n ** 18n;
/** Tokens each node's signing key gets to pay its vaults' snapshot blobs with. */
const SIGNER_TOKENS = 10_000n * 10n ** 18n;

export interface DevnetFault {
  /** Index of the node that misbehaves (0-based). */
  node: number;
  mode: "stop-proving" | "drop-data";
  dropFraction?: number;
}

export interface DevnetOptions {
  root: string;
  dataDir: string;
  chainPort: number;
  /** Storage nodes to run (default 3). */
  nodes?: number;
  /** First node HTTP port (then +1 each); libp2p ports start at `nodePort + 1000`. 0: any free ports. */
  nodePort?: number;
  indexerPort?: number;
  fault?: DevnetFault;
  params?: DeployParams;
  logLevel?: string;
  signal?: AbortSignal;
}

export interface DevnetNode {
  nodeId: number;
  url: string;
  configFile: string;
  service: Service;
  fault?: DevnetFault["mode"];
}

export interface Devnet {
  rpcUrl: string;
  deployment: Deployment;
  deploymentFile: string;
  publicClient: PublicClient;
  nodes: DevnetNode[];
  indexerUrl: string;
  /** The web console, served by the indexer (built by `npm run build:console`). */
  consoleUrl: string;
  indexer: Service;
  chain: HardhatChain;
  /** A client signing as devnet dApp account `index` (0-based among the funded dApp accounts). */
  dappClient(index?: number): StrataClient;
  stop(): Promise<void>;
}

/**
 * Brings up a whole Strata network on loopback: a Hardhat chain (blocks every second), the
 * deployed contracts, `nodes` storage nodes (initialized, registered and staked through the SDK
 * as an operator would, each its own process) and the indexer (its own process), with devnet dApp
 * accounts funded. `stop()` stops everything, nodes first. Logs go to `<dataDir>/*.log`.
 */
export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const { root, dataDir, signal } = options;
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const local = await startLocalChain({
      root,
      dataDir,
      chainPort: options.chainPort,
      ...(options.params ? { params: options.params } : {}),
      ...(signal ? { signal } : {}),
    });
    stops.push(() => local.stop());
    const { chain, publicClient, deployment, deploymentFile } = local;
    const transport = http(chain.url);
    const params = options.params ?? devnetParams;
    const indexerPort = options.indexerPort ?? 9200;
    const indexerUrl = `http://127.0.0.1:${indexerPort || (await freePort())}`;
    const clientAs = (account: number) =>
      new StrataClient({
        deployment,
        publicClient,
        signer: createWalletClient({ account: devnetAccount(account), chain: hardhat, transport }),
        indexerUrl,
      });

    // storage nodes: init, register, stake (the operator's three steps), then start
    const nodes: DevnetNode[] = [];
    const count = options.nodes ?? 3;
    for (let i = 0; i < count; i++) {
      const httpPort = options.nodePort === 0 ? await freePort() : (options.nodePort ?? 9101) + i;
      const p2pPort = options.nodePort === 0 ? await freePort() : httpPort + 1000;
      const fault = options.fault?.node === i ? options.fault : undefined;
      const nodeDir = join(dataDir, `node-${i + 1}`);
      const init = await initNode({
        dataDir: nodeDir,
        rpcUrl: chain.url,
        deploymentFile,
        httpPort,
        p2pPort,
        extra: {
          http: { host: "127.0.0.1", port: httpPort },
          prover: { enabled: true, pollMs: 250, watchdog: true },
          storage: { max: 8 * 2 ** 30, gcWatermark: 90, gcPeriodMs: 600_000, maxUploadBytes: 2 ** 31 },
          cache: { capacity: 512 * 2 ** 20, policy: "lru", ttlMs: 3_600_000 },
          // the nodes hand the IPNS records of anchored names back to the indexer every minute
          names: { republishMs: 60_000, routers: [indexerUrl] },
          logLevel: options.logLevel ?? "info",
          ...(fault ? { fault: { mode: fault.mode, dropFraction: fault.dropFraction ?? 0.5 } } : {}),
        },
      });
      const operator = clientAs(1 + i);
      await operator.faucet(params.minStake * 2n + SIGNER_TOKENS, signal ? { signal } : {});
      const { nodeId } = await operator.registerNode(
        {
          signer: init.signer,
          endpoint: init.endpoint,
          peerId: init.peerId,
          multiaddrs: init.multiaddrs,
          tiers: ["hot", "cold"],
          capacity: 8n * 2n ** 30n,
          pricePerByteEpoch: 1_000n + BigInt(i) * 100n,
        },
        signal ? { signal } : {},
      );
      await operator.stake(nodeId, params.minStake * 2n, signal ? { signal } : {});
      // the signing key pays the gas of seeds, enrollments, proofs and reports, and the blobs of
      // its vaults' snapshots
      await operator.fundSigner(init.signer, 10n * 10n ** 18n, {
        tokens: SIGNER_TOKENS,
        ...(signal ? { signal } : {}),
      });
      await setNodeId(init.configFile, nodeId);
      const service = await spawnService({
        name: `node ${nodeId}`,
        script: join(root, "node", "server.ts"),
        args: [init.configFile],
        cwd: root,
        url: init.endpoint,
        logFile: join(dataDir, `node-${i + 1}.log`),
        ready: () => answers(`${init.endpoint}/health`),
        ...(signal ? { signal } : {}),
      });
      stops.push(() => service.stop());
      nodes.push({
        nodeId,
        url: init.endpoint,
        configFile: init.configFile,
        service,
        ...(fault ? { fault: fault.mode } : {}),
      });
    }

    // dApp accounts with tokens to spend
    for (let i = 0; i < DAPP_ACCOUNTS; i++) {
      await clientAs(FIRST_DAPP_ACCOUNT + i).faucet(DAPP_FUNDS, signal ? { signal } : {});
    }

    // the indexer, ready once it has seen every node and checked their health
    const indexerConfig = join(dataDir, "indexer.json");
    await writeFile(
      indexerConfig,
      `${JSON.stringify(
        {
          rpcUrl: chain.url,
          deploymentFile,
          database: join(dataDir, "indexer.db"),
          http: { host: "127.0.0.1", port: Number(new URL(indexerUrl).port) },
          confirmations: 0,
          pollMs: 200,
          health: { intervalMs: 2_000, timeoutMs: 2_000 },
          logLevel: options.logLevel ?? "info",
          // the web console (npm run build:console) at /console/
          console: { dir: join(root, "console", "dist") },
        },
        null,
        2,
      )}\n`,
    );
    const indexer = await spawnService({
      name: "indexer",
      script: join(root, "indexer", "server.ts"),
      args: [indexerConfig],
      cwd: root,
      url: indexerUrl,
      logFile: join(dataDir, "indexer.log"),
      ready: async () => {
        const listed = await clientAs(0).indexer.nodes({ signal: AbortSignal.timeout(1_000) });
        return listed.length === count && listed.every((node) => node.health?.available);
      },
      ...(signal ? { signal } : {}),
    });
    // the indexer stops after the nodes (they are stopped in reverse order of start)
    stops.splice(1, 0, () => indexer.stop());

    return {
      rpcUrl: chain.url,
      deployment,
      deploymentFile,
      publicClient,
      nodes,
      indexerUrl,
      consoleUrl: `${indexerUrl}/console/`,
      indexer,
      chain,
      dappClient: (index = 0) => clientAs(FIRST_DAPP_ACCOUNT + index),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const handedOut = new Set<number>();

/** A TCP port free on loopback right now, never one this process handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
