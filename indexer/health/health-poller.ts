import type { Logger } from "../../service/logger.ts";
import type { Db } from "../db/open-database.ts";
import type { Queries } from "../db/queries.ts";
import type { IndexerMetrics } from "../metrics.ts";

/** Weight of the newest latency sample in the moving average. */
const LATENCY_WEIGHT = 0.3;
const CONCURRENCY = 8;

/**
 * Visits every registered node's `/health` and `/stats` on an interval and keeps what routing
 * needs: whether it answered, how fast (a moving average), how often it answered over time, and
 * how much it serves and stores (its popularity). Nothing here comes from the chain.
 */
export class HealthPoller {
  readonly #queries: Queries;
  readonly #metrics: IndexerMetrics;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #upsert: ReturnType<Db["prepare"]>;
  readonly #previous: ReturnType<Db["prepare"]>;

  constructor(deps: {
    db: Db;
    queries: Queries;
    metrics: IndexerMetrics;
    logger: Logger;
    timeoutMs: number;
  }) {
    this.#queries = deps.queries;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger.child({ component: "health" });
    this.#timeoutMs = deps.timeoutMs;
    this.#previous = deps.db.prepare("SELECT latency_ms FROM node_health WHERE node_id = ?");
    this.#upsert =
      deps.db.prepare(`INSERT INTO node_health (node_id, checks, successes, available, latency_ms,
        last_checked_at, last_ok_at, last_error, reads, stored_bytes)
      VALUES (@node_id, 1, @ok, @ok, @latency, @at, CASE WHEN @ok = 1 THEN @at END, @error, @reads, @stored)
      ON CONFLICT (node_id) DO UPDATE SET checks = checks + 1, successes = successes + @ok, available = @ok,
        latency_ms = COALESCE(@latency, latency_ms), last_checked_at = @at,
        last_ok_at = CASE WHEN @ok = 1 THEN @at ELSE last_ok_at END, last_error = @error,
        reads = COALESCE(@reads, reads), stored_bytes = COALESCE(@stored, stored_bytes)`);
  }

  /** One round over every node, at most CONCURRENCY at a time. */
  async poll(signal?: AbortSignal): Promise<void> {
    const queue = this.#queries.endpoints();
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        signal?.throwIfAborted();
        await this.#check(next.nodeId, next.endpoint, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  }

  async #check(nodeId: number, endpoint: string, signal?: AbortSignal): Promise<void> {
    const at = Date.now();
    let ok = 0;
    let latency: number | null = null;
    let error: string | null = null;
    let reads: number | null = null;
    let stored: number | null = null;
    try {
      const base = new URL(endpoint);
      if (base.protocol !== "http:" && base.protocol !== "https:")
        throw new Error(`not an HTTP endpoint: ${endpoint}`);
      const timeout = AbortSignal.timeout(this.#timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const started = performance.now();
      const response = await fetch(new URL("/health", base), { signal: combined });
      await response.arrayBuffer();
      latency = performance.now() - started;
      if (!response.ok) throw new Error(`/health answered ${response.status}`);
      ok = 1;
      const stats = await fetch(new URL("/stats", base), { signal: combined });
      if (stats.ok) {
        const body = (await stats.json()) as { reads?: { count?: number }; storage?: { heldBytes?: number } };
        reads = typeof body.reads?.count === "number" ? body.reads.count : null;
        stored = typeof body.storage?.heldBytes === "number" ? body.storage.heldBytes : null;
      }
    } catch (cause) {
      if (signal?.aborted) return;
      error = (cause as Error).message.slice(0, 200);
      this.#metrics.healthFailures += 1;
    }
    this.#metrics.healthChecks += 1;
    const previous = (this.#previous.get(nodeId) as { latency_ms: number | null } | undefined)?.latency_ms;
    const averaged =
      latency === null ? null : previous == null ? latency : previous + LATENCY_WEIGHT * (latency - previous);
    this.#upsert.run({ node_id: nodeId, ok, latency: averaged, at, error, reads, stored });
    if (error) this.#logger.debug({ node_id: nodeId, endpoint, error }, "node did not answer");
  }
}
