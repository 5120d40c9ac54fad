// strata-indexer: the indexer as a process. Configuration from the JSON file given as the first
// argument (or STRATA_INDEXER_CONFIG); SIGINT/SIGTERM stop it once, within a grace period. A
// reorg deeper than the kept window stops it with an error and exit code 1.
import { createLogger } from "../node/logger.ts";
import { loadIndexerConfig } from "./config.ts";
import { startIndexer } from "./indexer.ts";

const GRACE_MS = 10_000;

const config = await loadIndexerConfig(process.argv[2]);
const logger = createLogger(config.logLevel, { name: "strata-indexer" });
const indexer = await startIndexer(config, { logger });

let stopping = false;
const shutdown = (code: number, why: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ why }, "stopping");
  const timer = setTimeout(() => {
    logger.error("did not stop in time; exiting");
    process.exit(1);
  }, GRACE_MS);
  indexer.stop().then(
    () => {
      clearTimeout(timer);
      process.exit(code);
    },
    (error) => {
      logger.error({ err: error }, "stop failed");
      process.exit(1);
    },
  );
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => shutdown(0, signal));
indexer.syncing.catch(() => shutdown(1, "syncing stopped"));
