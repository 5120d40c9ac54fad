import type { Batch, Datastore, Key, KeyQuery, Pair, Query } from "interface-datastore";
import { Counter, Histogram, type Registry } from "prom-client";

export type StoreOperation = "put" | "get" | "has" | "delete" | "query" | "batch";

/** One measured store's figures: operations, bytes and time, by operation. */
export class StoreMeasure {
  readonly name: string;
  readonly mountpoint: string;
  readonly #counts = new Map<StoreOperation, number>();
  readonly #metrics: DatastoreMetrics;

  constructor(name: string, mountpoint: string, metrics: DatastoreMetrics) {
    this.name = name;
    this.mountpoint = mountpoint;
    this.#metrics = metrics;
  }

  /** Operations of one kind since the store was opened. */
  count(operation: StoreOperation): number {
    return this.#counts.get(operation) ?? 0;
  }

  /** Counts one operation that moved `bytes` and took `seconds`. */
  record(operation: StoreOperation, bytes: number, seconds: number): void {
    this.#counts.set(operation, this.count(operation) + 1);
    const labels = { store: this.name, mountpoint: this.mountpoint, op: operation };
    this.#metrics.operations.inc(labels);
    if (bytes > 0) this.#metrics.bytes.inc(labels, bytes);
    this.#metrics.seconds.observe(labels, seconds);
  }

  /** Runs `work` as one operation; `bytesOf` says what it moved. */
  async time<T>(
    operation: StoreOperation,
    work: () => T | Promise<T>,
    bytesOf?: (result: T) => number,
  ): Promise<T> {
    const started = performance.now();
    const result = await work();
    this.record(operation, bytesOf ? bytesOf(result) : 0, (performance.now() - started) / 1000);
    return result;
  }
}

/** The datastore metrics of a process, labelled by store, mountpoint and operation. */
export class DatastoreMetrics {
  readonly operations: Counter<"store" | "mountpoint" | "op">;
  readonly bytes: Counter<"store" | "mountpoint" | "op">;
  readonly seconds: Histogram<"store" | "mountpoint" | "op">;

  constructor(register: Registry) {
    const labelNames = ["store", "mountpoint", "op"] as const;
    this.operations = new Counter({
      name: "strata_node_datastore_operations_total",
      help: "Operations on each measured store of the datastore spec",
      labelNames,
      registers: [register],
    });
    this.bytes = new Counter({
      name: "strata_node_datastore_bytes_total",
      help: "Bytes written (put) and read (get, query) by each measured store",
      labelNames,
      registers: [register],
    });
    this.seconds = new Histogram({
      name: "strata_node_datastore_operation_seconds",
      help: "Time an operation on a measured store took",
      labelNames,
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2],
      registers: [register],
    });
  }

  store(name: string, mountpoint: string): StoreMeasure {
    return new StoreMeasure(name, mountpoint, this);
  }
}

/**
 * A store that counts what it is asked to do (kubo's `measure`): every put, get, has, delete,
 * query and batch commit, with the bytes it moved and the time it took, into `measure`.
 */
export class MeasuredDatastore implements Datastore {
  readonly child: Datastore;
  readonly measure: StoreMeasure;

  constructor(child: Datastore, measure: StoreMeasure) {
    this.child = child;
    this.measure = measure;
  }

  put(key: Key, value: Uint8Array, options?: { signal?: AbortSignal }): Promise<Key> {
    return this.measure.time(
      "put",
      () => this.child.put(key, value, options),
      () => value.byteLength,
    );
  }

  get(key: Key, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    return this.measure.time(
      "get",
      () => this.child.get(key, options),
      (value) => value.byteLength,
    );
  }

  has(key: Key, options?: { signal?: AbortSignal }): Promise<boolean> {
    return this.measure.time("has", () => this.child.has(key, options));
  }

  delete(key: Key, options?: { signal?: AbortSignal }): Promise<void> {
    return this.measure.time("delete", () => this.child.delete(key, options));
  }

  async *putMany(source: AsyncIterable<Pair> | Iterable<Pair>, options?: { signal?: AbortSignal }) {
    for await (const { key, value } of source) yield await this.put(key, value, options);
  }

  async *getMany(source: AsyncIterable<Key> | Iterable<Key>, options?: { signal?: AbortSignal }) {
    for await (const key of source) yield { key, value: await this.get(key, options) };
  }

  async *deleteMany(source: AsyncIterable<Key> | Iterable<Key>, options?: { signal?: AbortSignal }) {
    for await (const key of source) {
      await this.delete(key, options);
      yield key;
    }
  }

  batch(): Batch {
    const batch = this.child.batch();
    let bytes = 0;
    return {
      put: (key, value) => {
        bytes += value.byteLength;
        batch.put(key, value);
      },
      delete: (key) => batch.delete(key),
      commit: (options) =>
        this.measure.time(
          "batch",
          () => batch.commit(options),
          () => bytes,
        ),
    };
  }

  async *query(query: Query, options?: { signal?: AbortSignal }) {
    const started = performance.now();
    let bytes = 0;
    try {
      for await (const pair of this.child.query(query, options)) {
        bytes += pair.value.byteLength;
        yield pair;
      }
    } finally {
      this.measure.record("query", bytes, (performance.now() - started) / 1000);
    }
  }

  async *queryKeys(query: KeyQuery, options?: { signal?: AbortSignal }) {
    const started = performance.now();
    try {
      yield* this.child.queryKeys(query, options);
    } finally {
      this.measure.record("query", 0, (performance.now() - started) / 1000);
    }
  }
}
