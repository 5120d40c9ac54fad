import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { getAddress } from "viem";
import { parseDeployment } from "#protocol";
import type { VaultRestoreBody } from "../api/vaults/index.ts";
import { createLogger, type Logger } from "../service/logger.ts";
import { createMetricsRegistry } from "../service/metrics.ts";
import { Shutdown } from "../service/shutdown.ts";
import { Ticker } from "../service/ticker.ts";
import { ChainClient } from "./chain/chain-client.ts";
import { ChainStatus, claimableBlobs, readChainAccount } from "./chain/chain-status.ts";
import { Prover } from "./chain/prover.ts";
import { Registrations } from "./chain/registrations.ts";
import { Watchdog } from "./chain/watchdog.ts";
import { ChainWatcher } from "./chain/watcher.ts";
import { ColdTier } from "./cold/cold-tier.ts";
import { PeerEndpoints } from "./cold/peer-parts.ts";
import { ShardStore } from "./cold/shard-store.ts";
import { Tiering } from "./cold/tiering.ts";
import { type NodeConfig, nodeConfigDefaults } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { Holdings } from "./hot/holdings.ts";
import { HotCache } from "./hot/hot-cache.ts";
import { Reader } from "./hot/reader.ts";
import { ReplicaHealer } from "./hot/replica-healer.ts";
import { buildApp } from "./http/app.ts";
import { NodeStanding, readStanding } from "./http/node-standing.ts";
import { NodeMetrics } from "./metrics.ts";
import { NameRecords } from "./names/name-records.ts";
import { NameRepublisher } from "./names/name-republisher.ts";
import { connectPeers, createNodeHelia } from "./p2p/create-helia.ts";
import { BlobRecords } from "./storage/blob-records.ts";
import { ByteBudget } from "./storage/byte-budget.ts";
import { DiskUse } from "./storage/disk-use.ts";
import { GarbageCollector } from "./storage/garbage-collector.ts";
import { openStores } from "./storage/open-stores.ts";
import { PendingBlocks } from "./storage/pending-blocks.ts";
import { UsedNonces } from "./storage/used-nonces.ts";
import { migrateVault } from "./vaults/migrate-job.ts";
import { restoreSnapshot } from "./vaults/restore-job.ts";
import { takeSnapshot } from "./vaults/snapshot-job.ts";
import { VaultJobs } from "./vaults/vault-jobs.ts";
import { Vaults } from "./vaults/vaults.ts";

export interface StorageNode {
  /** Base URL of the HTTP API. */
  url: string;
  peerId: string;
  multiaddrs: string[];
  app: FastifyInstance;
  logger: Logger;
  /**
   * Closes HTTP, stops the prover, watcher and GC, then Helia and the stores. Idempotent: a second
   * or concurrent call gets the same promise.
   */
  stop(): Promise<void>;
}

/**
 * Starts a storage node: stores, Helia and libp2p, the chain client, the HTTP API, and the
 * loops that follow the chain, prove and collect garbage. Checks first that the configured key
 * is the signing key the registry has for the node.
 */
export async function startStorageNode(
  config: NodeConfig,
  options: { logger?: Logger } = {},
): Promise<StorageNode> {
  const logger = (options.logger ?? createLogger(config.logLevel, { name: "strata-node" })).child({
    node_id: config.nodeId,
  });
  const deployment = await readFile(config.deploymentFile, "utf8")
    .then(parseDeployment)
    .catch((cause: unknown) => {
      throw new ConfigError(`cannot read the deployment file ${config.deploymentFile}`, { cause });
    });
  const chain = new ChainClient({
    rpcUrl: config.rpcUrl,
    deployment,
    signerKey: config.signerKey as `0x${string}`,
    nodeId: config.nodeId,
    logger,
    pollingMs: config.chain.pollingMs,
    receiptTimeoutMs: config.chain.receiptTimeoutMs,
  });
  const [, registeredSigner] = await chain.read(() => chain.registry.read.nodeAccounts([config.nodeId]));
  if (getAddress(registeredSigner) !== chain.account.address) {
    throw new ConfigError(
      `node ${config.nodeId}'s registered signing key is ${registeredSigner}, not this node's key ${chain.account.address}`,
    );
  }

  const registry = createMetricsRegistry();
  const stores = await openStores(config.dataDir, {
    spec: config.storage.spec,
    bloomFilterSize: config.storage.bloomFilterSize ?? nodeConfigDefaults.storage.bloomFilterSize,
    registry,
    logger,
  });
  const shutdown = new Shutdown(logger);
  shutdown.register("stores", () => stores.close());
  try {
    const helia = await createNodeHelia({ stores, host: config.http.host, port: config.p2p.port, logger });
    shutdown.register("helia", () => helia.stop());
    const metrics = new NodeMetrics();
    const records = new BlobRecords(stores.datastore);
    const registrations = new Registrations(chain);
    const cache = new HotCache(config.cache);
    const nonces = new UsedNonces(stores.datastore);
    const shards = new ShardStore(config.dataDir);
    await shards.open();
    const pending = new PendingBlocks();
    const disk = new DiskUse({ dataDir: config.dataDir, mounts: stores.mounts });
    await disk.refresh();
    const budget = new ByteBudget({
      cachedBytes: () => cache.stats().bytes,
      metrics,
      max: config.storage.max,
      disk,
    });
    const holdings = new Holdings({
      budget,
      pending,
      shards,
      helia,
      stores,
      records,
      registrations,
      chain,
      cache,
      metrics,
      logger,
      options: {
        maxUploadBytes: config.storage.maxUploadBytes,
        fault: config.fault,
      },
    });
    await holdings.load();
    const gc = new GarbageCollector({
      pins: helia.pins,
      blockstore: stores.blockstore,
      pending,
      holdings,
      budget,
      disk,
      cache,
      nonces,
      metrics,
      logger,
      watermark: config.storage.gcWatermark,
      periodMs: config.storage.gcPeriodMs,
      batchSize: config.storage.gcBatch,
    });
    // what a crash left behind (blocks of an upload never recorded) is gone before anything is served
    await gc.collect();
    const standing = new NodeStanding({ read: readStanding(chain), nodeId: config.nodeId, logger });
    const reader = new Reader({
      helia,
      stores,
      records,
      cache,
      holdings,
      metrics,
      logger,
      fetchTimeoutMs: 10_000,
    });
    const peers = new PeerEndpoints(chain);
    const cold = new ColdTier({
      chain,
      registrations,
      records,
      stores,
      shards,
      budget,
      logger,
      peers,
      tempDir: shards.dir,
      claimDropped: config.cold.repair,
    });
    shutdown.register("cold tier", () => cold.stop());
    const healer =
      config.hot?.heal === false
        ? undefined
        : new ReplicaHealer({ chain, registrations, holdings, peers, logger });
    if (healer) shutdown.register("replica healer", () => healer.stop());
    const tiering = new Tiering({
      cold: cold.rebuilder,
      reader,
      records,
      holdings,
      cache,
      logger,
      policy: config.cold,
    });
    const watcher = new ChainWatcher({
      onDropped: () => standing.markDropped(),
      cold: {
        assigned: (blobId) => cold.repairs.repairSoon(blobId),
        // another node's place left open: the cold tier claims shards, the healer replicas
        dropped: (blobId, holder) => {
          cold.takeover.claimSoon(blobId, holder);
          healer?.healSoon(blobId, holder);
        },
      },
      chain,
      registrations,
      records,
      holdings,
      reader,
      datastore: stores.datastore,
      logger,
      pollMs: config.prover.pollMs,
      confirmations: config.chain.confirmations,
    });
    const prover = new Prover({
      chain,
      records,
      stores,
      metrics,
      logger,
      pollMs: config.prover.pollMs,
      shards,
      onShardLost: (blobId) => cold.repairs.repairSoon(blobId, true),
    });
    const names = new NameRecords({
      datastore: stores.datastore,
      chain,
      confirmations: config.chain.confirmations,
    });
    const vaults = new Vaults({ dataDir: config.dataDir, chain, nonces, logger });
    await vaults.recover();
    shutdown.register("vaults", () => vaults.stop());
    const jobs = new VaultJobs({ dir: vaults.dir, logger, pauseAt: config.fault.pauseVaultJobsAt });
    shutdown.register("vault jobs", () => jobs.stop());
    const vaultDeps = { vaults, chain, peers, registrations, budget };
    jobs.register("snapshot", (context) =>
      takeSnapshot(vaultDeps, context, context.job.params as { replicas?: number; tier?: "hot" | "cold" }),
    );
    jobs.register("restore", (context) =>
      restoreSnapshot(vaultDeps, context, context.job.params as unknown as VaultRestoreBody),
    );
    jobs.register("migrate", (context) =>
      migrateVault(vaultDeps, context, context.job.params as { to: number; replicas?: number }),
    );
    const releases = new Ticker(
      "vault-release",
      60_000,
      () => vaults.releaseMoved(config.vaults?.releaseAfterMs ?? nodeConfigDefaults.vaults.releaseAfterMs),
      logger,
    );
    const app = await buildApp(
      {
        vaults,
        jobs,
        names,
        config,
        chain,
        registrations,
        holdings,
        budget,
        reader,
        records,
        stores,
        disk,
        cache,
        nonces,
        metrics,
        registry,
        helia,
        intake: cold.intake,
        serving: cold.serving,
        coldStats: () => cold.stats(),
        tiering,
        peers,
        proverStats: () => prover.stats(),
        healStats: () => healer?.stats ?? { healed: 0, fetchedBytes: 0, failed: 0 },
        standing,
        pending,
        chainStatus: new ChainStatus({
          read: readChainAccount(chain, () => claimableBlobs(records.all())),
          signer: chain.account.address,
          logger,
        }),
      },
      logger,
    );
    const url = await app.listen({ host: config.http.host, port: config.http.port });
    shutdown.register("http", () => app.close());
    watcher.start();
    shutdown.register("chain watcher", () => watcher.stop());
    jobs.resume();
    releases.start();
    shutdown.register("vault releases", () => releases.stop());
    const republisher = new NameRepublisher({
      records: names,
      routers: config.names?.routers ?? [],
      periodMs: config.names?.republishMs ?? nodeConfigDefaults.names.republishMs,
      logger,
    });
    republisher.start();
    shutdown.register("name republisher", () => republisher.stop());
    if (config.prover.enabled && config.fault.mode !== "stop-proving") {
      prover.start();
      shutdown.register("prover", () => prover.stop());
    } else {
      logger.warn({ fault: config.fault.mode }, "not proving");
    }
    if (config.prover.watchdog) {
      const watchdog = new Watchdog({ chain, metrics, logger, pollMs: config.prover.pollMs });
      watchdog.start();
      shutdown.register("watchdog", () => watchdog.stop());
    }
    gc.start();
    shutdown.register("garbage collector", () => gc.stop());
    const policies = new Ticker(
      "tier-policy",
      config.cold.policyPeriodMs,
      (signal) => tiering.runPolicies({ signal }),
      logger,
    );
    policies.start();
    shutdown.register("tier policies", () => policies.stop());
    await connectPeers(helia, config.p2p.peers, logger);
    const multiaddrs = helia.libp2p.getMultiaddrs().map(String);
    logger.info({ url, peer_id: helia.libp2p.peerId.toString(), multiaddrs }, "storage node started");
    const stop = () => shutdown.stop();
    return { url, peerId: helia.libp2p.peerId.toString(), multiaddrs, app, logger, stop };
  } catch (error) {
    await shutdown.stop();
    throw error;
  }
}
