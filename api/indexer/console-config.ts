import { type Static, Type } from "@sinclair/typebox";

/** Where the web console's server publishes what the console talks to (beside its index.html). */
export const CONSOLE_CONFIG_FILE = "config.json";

/**
 * The console's configuration, written by whoever serves it (the indexer at /console/, or
 * `strata console`): the indexer to read from (null: the origin the console is served from), the
 * JSON-RPC endpoint a page may call (null: only through the wallet), and the deployment file's
 * JSON (its contracts, chain id and parameters).
 */
export const ConsoleConfig = Type.Object({
  indexerUrl: Type.Union([Type.String(), Type.Null()]),
  rpcUrl: Type.Union([Type.String(), Type.Null()]),
  deployment: Type.Unknown({ description: "The deployment file, as JSON" }),
});

export type ConsoleConfig = Static<typeof ConsoleConfig>;
