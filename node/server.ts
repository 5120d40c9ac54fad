// strata-node: the storage node as a process. Configuration from the JSON file given as the
// first argument (or STRATA_NODE_CONFIG); SIGINT/SIGTERM stop it once, within the grace time.
// Exit codes (service/run-process.ts): 0 stopped, 1 crashed or stopped too slowly, 2 bad
// configuration (or a signing key the registry does not have), 5 chain unreachable at start.
import { runProcess } from "../service/run-process.ts";
import { loadNodeConfig } from "./config.ts";
import {
  ChainUnavailableError,
  ConfigError,
  DatastoreSpecMismatchError,
  ShardFunctionMismatchError,
} from "./errors.ts";
import { startStorageNode } from "./storage-node.ts";
import { tuneHeapForStreaming } from "./tune-heap.ts";

await runProcess({
  name: "strata-node",
  loadConfig: () => loadNodeConfig(process.argv[2]),
  start: async (config, logger) => {
    const node = await startStorageNode(config, { logger });
    tuneHeapForStreaming();
    return node;
  },
  errors: {
    config: [ConfigError, DatastoreSpecMismatchError, ShardFunctionMismatchError],
    unreachable: [ChainUnavailableError],
  },
});
