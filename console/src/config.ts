import type { ConsoleConfig } from "../../api/indexer/console-config.ts";

/** What the console talks to. */
export interface Settings {
  /** The indexer's base URL (no trailing slash). */
  indexerUrl: string;
  /** A JSON-RPC endpoint the page may call, or null (reads then go through the wallet). */
  rpcUrl: string | null;
  /** The deployment file's JSON, or null when the server gave none (the dApp view needs it). */
  deployment: unknown;
}

/**
 * The server's config.json beside the console (written by the indexer at /console/, or by
 * `strata console`), with `?indexer=URL` and `?rpc=URL` in the page's address taking precedence.
 * Without one the indexer is the page's own origin.
 */
export async function loadSettings(): Promise<Settings> {
  const query = new URLSearchParams(location.search);
  let file: Partial<ConsoleConfig> = {};
  try {
    // index.html preloads it (the server sends it with cache-control: no-cache)
    const response = await fetch(new URL("config.json", location.href));
    if (response.ok) file = (await response.json()) as Partial<ConsoleConfig>;
  } catch {
    // served without one: the defaults
  }
  const indexerUrl = query.get("indexer") ?? file.indexerUrl ?? location.origin;
  return {
    indexerUrl: indexerUrl.replace(/\/+$/, ""),
    rpcUrl: query.get("rpc") ?? file.rpcUrl ?? null,
    deployment: file.deployment ?? null,
  };
}
