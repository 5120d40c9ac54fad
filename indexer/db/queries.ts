import type { Hex } from "viem";
import { type BlobFilters, BlobQueries } from "./blob-queries.ts";
import { type ChainTime, chainClock } from "./chain-clock.ts";
import { NodeQueries } from "./node-queries.ts";
import type { Db } from "./open-database.ts";
import { PeriodQueries } from "./period-queries.ts";
import { RouteQueries } from "./route-queries.ts";
import { countRows } from "./stats-queries.ts";

export type { BlobFilters } from "./blob-queries.ts";
export type { ChainTime } from "./chain-clock.ts";
export type { BlobState, NodeState } from "./query-rows.ts";

/** The read side of the mirror, as the HTTP API serves it. */
export class Queries {
  readonly chainId: number;
  readonly #db: Db;
  readonly #time: () => ChainTime;
  readonly #blobs: BlobQueries;
  readonly #nodes: NodeQueries;
  readonly #routes: RouteQueries;
  readonly #periods: PeriodQueries;
  readonly #clock: { genesis: number; periodSeconds: number };

  constructor(
    db: Db,
    options: { chainId: number; genesis: number; periodSeconds: number; minStake: () => bigint },
  ) {
    this.chainId = options.chainId;
    this.#db = db;
    this.#time = chainClock(db, options);
    this.#blobs = new BlobQueries(db, this.#time);
    this.#nodes = new NodeQueries(db, { minStake: options.minStake });
    this.#routes = new RouteQueries(db, { time: this.#time, minStake: options.minStake });
    this.#periods = new PeriodQueries(db, this.#time);
    this.#clock = { genesis: options.genesis, periodSeconds: options.periodSeconds };
  }

  time(): ChainTime {
    return this.#time();
  }

  /** The nodes that hold live copies of `cid`, best first. */
  route(cid: string) {
    return this.#routes.route(cid);
  }

  /** Counts a routing request for `cid` (its popularity). */
  hit(cid: string): void {
    this.#routes.hit(cid);
  }

  blobs(filters: BlobFilters) {
    return this.#blobs.blobs(filters);
  }

  blob(blobId: Hex) {
    return this.#blobs.blob(blobId);
  }

  /** Full-text search over names, tags and MIME types; `q` is plain words (prefixes match). */
  search(q: string, limit: number) {
    return this.#blobs.search(q, limit);
  }

  nodes() {
    return this.#nodes.nodes();
  }

  node(nodeId: number) {
    return this.#nodes.node(nodeId);
  }

  /** Proofs, misses, slashes and stored bytes of `limit` periods (up to `before`), oldest first. */
  periods(limit: number, before?: number) {
    return { ...this.#clock, ...this.#periods.periods(limit, before) };
  }

  /** Registered nodes the health poller visits. */
  endpoints(): { nodeId: number; endpoint: string }[] {
    return this.#nodes.endpoints();
  }

  /** Rows per table. */
  counts(): Record<string, number> {
    return countRows(this.#db);
  }
}
