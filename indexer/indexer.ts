import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { createPublicClient, http } from "viem";
import { nodeRegistryAbi, parseDeployment } from "#protocol";
import { createLogger, type Logger } from "../service/logger.ts";
import { createMetricsRegistry } from "../service/metrics.ts";
import { Shutdown } from "../service/shutdown.ts";
import { Ticker } from "../service/ticker.ts";
import type { IndexerConfig } from "./config.ts";
import { Mirror } from "./db/mirror.ts";
import { type Db, openDatabase } from "./db/open-database.ts";
import { Queries } from "./db/queries.ts";
import { ChainUnavailableError, ConfigError, stopCodeOf } from "./errors.ts";
import { HealthPoller } from "./health/health-poller.ts";
import { buildIndexerApp } from "./http/app.ts";
import { IndexerMetrics } from "./metrics.ts";
import { IpnsRecordStore } from "./names/ipns-record-store.ts";
import { NameQueries } from "./names/name-queries.ts";
import { ChainReader } from "./sync/chain-reader.ts";
import { EventDecoder } from "./sync/event-decoder.ts";
import { LogRanges } from "./sync/log-ranges.ts";
import { Syncer } from "./sync/syncer.ts";
import { VaultQueries } from "./vaults/vault-queries.ts";

export interface Indexer {
  /** Base URL of the HTTP API. */
  url: string;
  app: FastifyInstance;
  db: Db;
  metrics: IndexerMetrics;
  /** Settles when syncing ends: resolves on stop, rejects when a deep reorg stopped it. */
  syncing: Promise<void>;
  /**
   * Closes HTTP, stops health checks and syncing, closes the database. Idempotent: a second or
   * concurrent call gets the same promise.
   */
  stop(): Promise<void>;
}

/** Paths that still answer once syncing has stopped (the rest would serve a wrong mirror). */
const ALWAYS = ["/health", "/stats", "/metrics", "/docs"];

/**
 * Starts the indexer: opens (and migrates) the SQLite mirror, checks it belongs to this chain and
 * deployment, follows the chain, polls node health and serves the HTTP API.
 */
export async function startIndexer(
  config: IndexerConfig,
  options: { logger?: Logger } = {},
): Promise<Indexer> {
  const logger = options.logger ?? createLogger(config.logLevel, { name: "strata-indexer" });
  const deployment = await readFile(config.deploymentFile, "utf8")
    .then(parseDeployment)
    .catch((cause: unknown) => {
      throw new ConfigError(`cannot read the deployment file ${config.deploymentFile}`, { cause });
    });
  const chain = new ChainReader(config.rpcUrl);
  const chainId = await chain.chainId().catch((cause: unknown) => {
    throw new ChainUnavailableError(config.rpcUrl, cause);
  });
  if (chainId !== deployment.chainId) {
    throw new ConfigError(
      `the RPC serves chain ${chainId}, the deployment is on chain ${deployment.chainId}`,
    );
  }
  const minStake = await createPublicClient({
    transport: http(config.rpcUrl, { retryCount: 2 }),
  }).readContract({
    address: deployment.contracts.registry,
    abi: nodeRegistryAbi,
    functionName: "minStake",
  });

  const db = await openDatabase(config.database);
  const shutdown = new Shutdown(logger);
  shutdown.register("database", () => db.close());
  try {
    const mirror = new Mirror(db, { chainId, window: config.reorgWindow });
    const { contracts } = deployment;
    mirror.claim(
      {
        chainId: String(chainId),
        token: contracts.token,
        registry: contracts.registry,
        market: contracts.market,
        proofSystem: contracts.proofSystem,
        names: contracts.names,
        vaults: contracts.vaults,
        deploymentBlock: deployment.deploymentBlock.toString(),
      },
      { minStake: minStake.toString() },
    );
    const metrics = new IndexerMetrics();
    const cursor = mirror.cursor();
    if (cursor) {
      metrics.indexed = Number(cursor.number);
      metrics.indexedTimestamp = cursor.timestamp;
    }
    const queries = new Queries(db, {
      chainId,
      genesis: deployment.params.genesis,
      periodSeconds: deployment.params.periodSeconds,
      minStake: () => minStake,
    });
    const syncer = new Syncer({
      chain,
      decoder: new EventDecoder(deployment),
      mirror,
      ranges: new LogRanges(config.logRange),
      metrics,
      logger,
      options: {
        confirmations: config.confirmations,
        window: config.reorgWindow,
        pollMs: config.pollMs,
        startBlock: deployment.deploymentBlock,
      },
    });

    let failure: Error | undefined;
    const app = await buildIndexerApp(
      {
        config,
        queries,
        names: new NameQueries(db),
        ipnsRecords: new IpnsRecordStore(db),
        vaults: new VaultQueries(db),
        metrics,
        registry: createMetricsRegistry(),
        failure: () => failure,
      },
      logger,
    );
    app.addHook("onRequest", async (request, reply) => {
      if (!failure || ALWAYS.some((path) => request.url.startsWith(path))) return;
      return reply.code(503).send({ error: { code: stopCodeOf(failure), message: failure.message } });
    });

    const controller = new AbortController();
    const syncing = syncer.run(controller.signal).catch((error: Error) => {
      failure = error;
      logger.error({ err: error }, "stopped following the chain");
      throw error;
    });
    syncing.catch(() => undefined);
    shutdown.register("sync", async () => {
      controller.abort();
      await syncing.catch(() => undefined);
    });

    if (config.health.intervalMs > 0) {
      const poller = new HealthPoller({ db, queries, metrics, logger, timeoutMs: config.health.timeoutMs });
      const ticker = new Ticker("health", config.health.intervalMs, (signal) => poller.poll(signal), logger);
      ticker.start();
      shutdown.register("health checks", () => ticker.stop());
    }

    const url = await app.listen({ host: config.http.host, port: config.http.port });
    shutdown.register("http", () => app.close());
    logger.info(
      { url, chain_id: chainId, from_block: (cursor?.number ?? deployment.deploymentBlock).toString() },
      "indexer up",
    );

    return { url, app, db, metrics, syncing, stop: () => shutdown.stop() };
  } catch (error) {
    await shutdown.stop();
    throw error;
  }
}
