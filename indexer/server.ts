// strata-indexer: the indexer as a process. Configuration from the JSON file given as the first
// argument (or STRATA_INDEXER_CONFIG); SIGINT/SIGTERM stop it once, within the grace time.
// Exit codes (service/run-process.ts): 0 stopped, 1 crashed, stopped too slowly or stopped by a
// reorg deeper than the kept window, 2 bad configuration (or a database of another chain),
// 5 chain unreachable at start.
import { runProcess } from "../service/run-process.ts";
import { loadIndexerConfig } from "./config.ts";
import { ChainUnavailableError, ConfigError, WrongDatabaseError } from "./errors.ts";
import { startIndexer } from "./indexer.ts";

await runProcess({
  name: "strata-indexer",
  loadConfig: () => loadIndexerConfig(process.argv[2]),
  start: (config, logger) => startIndexer(config, { logger }),
  ended: (indexer) => indexer.syncing,
  errors: { config: [ConfigError, WrongDatabaseError], unreachable: [ChainUnavailableError] },
});
