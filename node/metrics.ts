/** Counters and gauges the node exposes on /stats and /metrics (Prometheus text format). */
export class NodeMetrics {
  readonly startedAt = Date.now();
  uploads = 0;
  uploadedBytes = 0;
  uploadsRefused = 0;
  reads = 0;
  readBytes = 0;
  proofsSubmitted = 0;
  proofsMissed = 0;
  proofsFailed = 0;
  missesReported = 0;
  blobsReleased = 0;
  gcRuns = 0;
  gcBlocksRemoved = 0;

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }
}

export interface MetricSample {
  name: string;
  help: string;
  type: "counter" | "gauge";
  value: number;
}

/** Renders samples in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(samples: MetricSample[]): string {
  return samples
    .map(
      (s) =>
        `# HELP ${s.name} ${s.help}\n# TYPE ${s.name} ${s.type}\n${s.name} ${Number.isFinite(s.value) ? s.value : 0}\n`,
    )
    .join("");
}
