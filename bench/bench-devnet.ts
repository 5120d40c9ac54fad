import { join } from "node:path";
import { type Devnet, freePort, startDevnet } from "../devnet/start-devnet.ts";
import { tempDir } from "../devnet/temp-dir.ts";

const root = join(import.meta.dirname, "..");

/**
 * The devnet as shipped (chain, three node processes, the indexer) on free ports in a temporary
 * folder, for a benchmark; `stop` ends it and removes the folder.
 */
export async function startBenchDevnet(
  name: string,
): Promise<{ net: Devnet; dir: string; stop(): Promise<void> }> {
  const dir = await tempDir(name);
  const net = await startDevnet({
    root,
    dataDir: join(dir.path, "devnet"),
    chainPort: await freePort(),
    nodePort: 0,
    indexerPort: 0,
    logLevel: "warn",
  });
  return {
    net,
    dir: dir.path,
    async stop() {
      await net.stop();
      await dir.cleanup();
    },
  };
}
