import Fastify from "fastify";
import { Registry } from "prom-client";
import { describe, expect, test } from "vitest";
import { createMetricsRegistry, observeRequests, registerStatMetrics } from "./metrics.ts";

describe("metrics", () => {
  test("the request histogram observes each request with its method, route and status", async () => {
    const register = new Registry();
    const app = Fastify();
    observeRequests(app, register, "strata_test");
    app.get("/file/:id", async () => "ok");
    await app.inject({ method: "GET", url: "/file/1" });
    await app.inject({ method: "GET", url: "/file/2" });
    await app.inject({ method: "GET", url: "/nowhere" });
    const text = await register.metrics();
    expect(text).toContain("# TYPE strata_test_http_request_duration_seconds histogram");
    expect(text).toMatch(
      /^strata_test_http_request_duration_seconds_count\{method="GET",route="\/file\/:id",status="200"\} 2$/m,
    );
    expect(text).toMatch(
      /^strata_test_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1$/m,
    );
    await app.close();
  });

  test("stat metrics are read from one snapshot per scrape, counters and gauges alike", async () => {
    const register = new Registry();
    const stats = { uploads: 3, held: 42 };
    let reads = 0;
    registerStatMetrics(register, async () => {
      reads += 1;
      return { ...stats };
    }, [
      { name: "strata_test_uploads_total", help: "Uploads", type: "counter", value: (s) => s.uploads },
      { name: "strata_test_held_bytes", help: "Held", type: "gauge", value: (s) => s.held },
    ]);
    const first = await register.metrics();
    expect(first).toMatch(/^# TYPE strata_test_uploads_total counter$/m);
    expect(first).toMatch(/^strata_test_uploads_total 3$/m);
    expect(first).toMatch(/^# TYPE strata_test_held_bytes gauge$/m);
    expect(first).toMatch(/^strata_test_held_bytes 42$/m);
    expect(reads).toBe(1);
    stats.uploads = 5;
    stats.held = 7;
    const second = await register.metrics();
    expect(second).toMatch(/^strata_test_uploads_total 5$/m);
    expect(second).toMatch(/^strata_test_held_bytes 7$/m);
    expect(reads).toBe(2);
  });

  test("a process registry has the default process metrics", async () => {
    const text = await createMetricsRegistry().metrics();
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(text).toMatch(/^# TYPE nodejs_heap_size_used_bytes gauge$/m);
  });
});
