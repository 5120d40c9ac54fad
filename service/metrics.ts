import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type { Registry } from "prom-client";

/**
 * A process's metrics registry (one per service, passed to what registers metrics), with the
 * process metrics operators expect: CPU, memory, heap, event-loop lag, handles, GC, file descriptors.
 */
export function createMetricsRegistry(): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });
  return register;
}

/**
 * Times every request the app answers into `<prefix>_http_request_duration_seconds`, labelled with
 * the method, the route (as declared: `/file/:id`; `unmatched` for unknown paths) and the status.
 */
export function observeRequests(app: FastifyInstance, register: Registry, prefix: string): Histogram {
  const histogram = new Histogram({
    name: `${prefix}_http_request_duration_seconds`,
    help: "Time from a request's arrival to the end of its response",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [register],
  });
  app.addHook("onResponse", async (request, reply) => {
    histogram.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });
  return histogram;
}

/** A metric whose value is read from a service's stats at scrape time. */
export interface StatMetric<S> {
  name: string;
  help: string;
  type: "counter" | "gauge";
  value: (stats: S) => number;
}

/** A gauge with labels whose series are read from a service's stats at scrape time (one per store, say). */
export interface LabelledStatMetric<S> {
  name: string;
  help: string;
  type: "labelled";
  labelNames: readonly string[];
  series: (stats: S) => { labels: Record<string, string>; value: number }[];
}

/**
 * Registers metrics read from the stats `read` gives (a service's own counters, kept for /stats
 * too) when the registry is scraped. `read` runs once per scrape: the first metric of the list
 * reads the stats, the others reuse what it read (a scrape collects metrics in registration order).
 */
export function registerStatMetrics<S>(
  register: Registry,
  read: () => S | Promise<S>,
  metrics: readonly (StatMetric<S> | LabelledStatMetric<S>)[],
): void {
  let snapshot: Promise<S> | undefined;
  metrics.forEach((metric, index) => {
    const stats = () => {
      if (index === 0 || !snapshot) snapshot = Promise.resolve(read());
      return snapshot;
    };
    const options = { name: metric.name, help: metric.help, registers: [register] };
    if (metric.type === "labelled") {
      new Gauge({
        ...options,
        labelNames: metric.labelNames,
        async collect() {
          const series = metric.series(await stats());
          this.reset();
          for (const { labels, value } of series) this.set(labels, Number.isFinite(value) ? value : 0);
        },
      });
      return;
    }
    const value = async () => {
      const value = metric.value(await stats());
      return Number.isFinite(value) ? value : 0;
    };
    if (metric.type === "gauge") {
      new Gauge({
        ...options,
        async collect() {
          this.set(await value());
        },
      });
    } else {
      new Counter({
        ...options,
        async collect() {
          const current = await value();
          this.reset();
          this.inc(Math.max(0, current));
        },
      });
    }
  });
}
