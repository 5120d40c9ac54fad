import { readFile } from "node:fs/promises";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { CorsOrigins, DEFAULT_CORS_ORIGINS } from "../service/cors.ts";
import { LogLevel } from "../service/logger.ts";
import { ConfigError } from "./errors.ts";

/** What the indexer needs to run, validated at boot. */
export const IndexerConfigSchema = Type.Object(
  {
    rpcUrl: Type.String({ pattern: "^https?://" }),
    deploymentFile: Type.String({ minLength: 1 }),
    /** The SQLite file (created if missing). */
    database: Type.String({ minLength: 1 }),
    http: Type.Object({
      host: Type.String({ minLength: 1 }),
      port: Type.Integer({ minimum: 0, maximum: 65535 }),
      /** Origins whose pages may call the indexer (CORS): `*` for any (the default), `[]` for none. */
      corsOrigins: Type.Optional(CorsOrigins),
    }),
    /** Blocks on top of a block before it is indexed. */
    confirmations: Type.Integer({ minimum: 0, maximum: 1000 }),
    /** Blocks below the cursor whose hashes are kept: the deepest reorg undone. */
    reorgWindow: Type.Integer({ minimum: 1, maximum: 100_000 }),
    /** How often the head is polled once caught up. */
    pollMs: Type.Integer({ minimum: 20 }),
    logRange: Type.Object({
      /** Blocks per eth_getLogs at first; halved on refusal, doubled while results are small. */
      initial: Type.Integer({ minimum: 1 }),
      max: Type.Integer({ minimum: 1 }),
    }),
    health: Type.Object({
      /** Interval of the node health rounds; 0 turns them off. */
      intervalMs: Type.Integer({ minimum: 0 }),
      timeoutMs: Type.Integer({ minimum: 100 }),
    }),
    logLevel: LogLevel,
    /**
     * The web console, served at /console/ when set: `dir` its build (console/dist), `rpcUrl` the
     * JSON-RPC endpoint pages are told to use (default `rpcUrl`; null: only through the wallet).
     */
    console: Type.Optional(
      Type.Object(
        {
          dir: Type.String({ minLength: 1 }),
          rpcUrl: Type.Optional(Type.Union([Type.String({ pattern: "^https?://" }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type IndexerConfig = Static<typeof IndexerConfigSchema>;

export const indexerConfigDefaults = {
  http: { host: "127.0.0.1", port: 9200, corsOrigins: [...DEFAULT_CORS_ORIGINS] },
  confirmations: 2,
  reorgWindow: 128,
  pollMs: 500,
  logRange: { initial: 2_000, max: 20_000 },
  health: { intervalMs: 15_000, timeoutMs: 3_000 },
  logLevel: "info" as const,
};

/** Checks `raw` against the schema; names every problem. */
export function parseIndexerConfig(raw: unknown): IndexerConfig {
  if (!Value.Check(IndexerConfigSchema, raw)) {
    const problems = [...Value.Errors(IndexerConfigSchema, raw)]
      .slice(0, 10)
      .map((error) => `${error.path || "/"}: ${error.message}`);
    throw new ConfigError(`invalid indexer configuration: ${problems.join("; ")}`);
  }
  if (raw.reorgWindow <= raw.confirmations) {
    throw new ConfigError("invalid indexer configuration: reorgWindow must exceed confirmations");
  }
  if (raw.logRange.initial > raw.logRange.max) {
    throw new ConfigError("invalid indexer configuration: logRange.initial exceeds logRange.max");
  }
  return raw;
}

/** The configuration over the defaults, from a JSON file (`STRATA_INDEXER_CONFIG` or the argument). */
export async function loadIndexerConfig(path = process.env.STRATA_INDEXER_CONFIG): Promise<IndexerConfig> {
  if (!path) throw new ConfigError("no configuration: pass a JSON file or set STRATA_INDEXER_CONFIG");
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(`cannot read configuration ${path}: ${(cause as Error).message}`);
  }
  return parseIndexerConfig(withDefaults(file));
}

/** `partial` over the defaults (nested objects merged one level deep). */
export function withDefaults(partial: Record<string, unknown>): Record<string, unknown> {
  return {
    ...indexerConfigDefaults,
    ...partial,
    http: { ...indexerConfigDefaults.http, ...(partial.http as object) },
    logRange: { ...indexerConfigDefaults.logRange, ...(partial.logRange as object) },
    health: { ...indexerConfigDefaults.health, ...(partial.health as object) },
  };
}
