import { type HttpTarget, jsonOf, send, trimBase, withTimeout } from "../http-request.ts";
import { namesApi } from "../names/names-client.ts";
import { vaultsApi } from "../vaults/vaults-client.ts";
import type {
  BlobQuery,
  BlobsPage,
  IndexedBlobDetail,
  IndexedNode,
  IndexedNodeDetail,
  IndexerHealthOk,
  IndexerStats,
  PeriodsFilter,
  PeriodsReply,
  Route,
  SearchReply,
} from "./indexer-schemas.ts";

export interface IndexerClientOptions {
  baseUrl: string;
  /** The longest a call waits for its answer (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

type Signal = { signal?: AbortSignal | undefined };

/**
 * The indexer's HTTP API, typed. Every call takes a signal and has a timeout of its own; a refusal
 * or no answer is a ServiceError (`service: "indexer"`) with the indexer's code.
 */
export function createIndexerClient(options: IndexerClientOptions) {
  const target: HttpTarget = {
    baseUrl: trimBase(options.baseUrl),
    origin: { service: "indexer" },
    // called as a method of the target: the global fetch bound (a page refuses it unbound)
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const get = async <T>(path: string, opts: Signal = {}): Promise<T> =>
    jsonOf<T>(target, await send(target, path, { signal: withTimeout(timeoutMs, opts.signal) }));
  const id = (value: string | number) => encodeURIComponent(String(value));

  return {
    url: target.baseUrl,

    /** The name routes and the delegated routing IPNS endpoints. */
    names: namesApi(target, (signal) => withTimeout(timeoutMs, signal)),

    /** The vault routes. */
    vaults: vaultsApi(target, (signal) => withTimeout(timeoutMs, signal)),

    /** GET /route/:cid: the nodes holding live copies of a CID, best first. */
    route: (cid: string, opts?: Signal) => get<Route>(`/route/${id(cid)}`, opts),

    /** GET /nodes: every registered node. */
    nodes: async (opts?: Signal) => (await get<{ nodes: IndexedNode[] }>("/nodes", opts)).nodes,

    /** GET /nodes/:id: one node with its recent proofs, misses, slashes and payments. */
    node: (nodeId: number, opts?: Signal) => get<IndexedNodeDetail>(`/nodes/${id(nodeId)}`, opts),

    /** GET /blobs/:id: one blob with its holders, certificate and payments. */
    blob: (blobId: string, opts?: Signal) => get<IndexedBlobDetail>(`/blobs/${id(blobId)}`, opts),

    /** GET /blobs: one page of blobs, newest first, filtered. */
    blobs: (query: BlobQuery = {}, opts?: Signal) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined) params.set(key, String(value));
      }
      return get<BlobsPage>(`/blobs${params.size > 0 ? `?${params}` : ""}`, opts);
    },

    /** GET /search: full-text search over names, tags and MIME types. */
    search: (q: string, opts: Signal & { limit?: number } = {}) =>
      get<SearchReply>(`/search?${new URLSearchParams({ q, limit: String(opts.limit ?? 20) })}`, opts),

    /** GET /periods: proofs, misses, slashes and stored bytes per period, oldest first. */
    periods: (filter: PeriodsFilter = {}, opts?: Signal) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filter)) {
        if (value !== undefined) params.set(key, String(value));
      }
      return get<PeriodsReply>(`/periods${params.size > 0 ? `?${params}` : ""}`, opts);
    },

    /** GET /stats: head and indexed blocks, lag, rows per table. */
    stats: (opts?: Signal) => get<IndexerStats>("/stats", opts),

    /** GET /health: following the chain; a stopped indexer is a ServiceError with its code. */
    health: (opts?: Signal) => get<IndexerHealthOk>("/health", opts),
  };
}

export type IndexerClient = ReturnType<typeof createIndexerClient>;
