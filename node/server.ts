// strata-node: the storage node as a process. Configuration from the JSON file given as the
// first argument (or STRATA_NODE_CONFIG); SIGINT/SIGTERM stop it once, within a grace period.
import { loadNodeConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startStorageNode } from "./storage-node.ts";
import { tuneHeapForStreaming } from "./tune-heap.ts";

const GRACE_MS = 15_000;

const config = await loadNodeConfig(process.argv[2]);
const logger = createLogger(config.logLevel);
const node = await startStorageNode(config, { logger });
tuneHeapForStreaming();

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const timer = setTimeout(() => {
      logger.error("did not stop in time; exiting");
      process.exit(1);
    }, GRACE_MS);
    node.stop().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  });
}
