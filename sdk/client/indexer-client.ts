import { IndexerRequestError } from "../errors.ts";
import type {
  IndexedBlob,
  IndexedBlobDetail,
  IndexedNode,
  IndexedNodeDetail,
  Route,
} from "./indexer-replies.ts";

export interface BlobQuery {
  owner?: string;
  node?: number;
  tag?: string;
  mimeType?: string;
  tier?: "hot" | "cold";
  status?: "registered" | "certified" | "deleted" | "expired";
  limit?: number;
  after?: string;
}

/** The indexer's HTTP API, typed. Every call takes an AbortSignal and has a timeout of its own. */
export class IndexerClient {
  readonly url: string;
  readonly #timeoutMs: number;

  constructor(url: string, options: { timeoutMs?: number } = {}) {
    this.url = url.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  route(cid: string, signal?: AbortSignal): Promise<Route> {
    return this.#get(`/route/${encodeURIComponent(cid)}`, signal);
  }

  nodes(signal?: AbortSignal): Promise<IndexedNode[]> {
    return this.#get<{ nodes: IndexedNode[] }>("/nodes", signal).then((reply) => reply.nodes);
  }

  node(nodeId: number, signal?: AbortSignal): Promise<IndexedNodeDetail> {
    return this.#get(`/nodes/${nodeId}`, signal);
  }

  blob(blobId: string, signal?: AbortSignal): Promise<IndexedBlobDetail> {
    return this.#get(`/blobs/${blobId}`, signal);
  }

  blobs(query: BlobQuery = {}, signal?: AbortSignal): Promise<{ blobs: IndexedBlob[]; next: string | null }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.size > 0 ? `?${params}` : "";
    return this.#get(`/blobs${search}`, signal);
  }

  search(
    q: string,
    limit = 20,
    signal?: AbortSignal,
  ): Promise<{ results: (IndexedBlob & { rank: number })[] }> {
    return this.#get(`/search?${new URLSearchParams({ q, limit: String(limit) })}`, signal);
  }

  stats(
    signal?: AbortSignal,
  ): Promise<{ headBlock: number; indexedBlock: number; lag: number } & Record<string, unknown>> {
    return this.#get("/stats", signal);
  }

  async #get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const url = `${this.url}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      signal?.throwIfAborted();
      throw new IndexerRequestError(url, 0, undefined, `unreachable: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as
      | (T & { error?: { code: string; message: string } })
      | undefined;
    if (!response.ok || body === undefined) {
      throw new IndexerRequestError(
        url,
        response.status,
        body?.error?.code,
        body?.error?.message ?? response.statusText,
      );
    }
    return body;
  }
}
