/** Counters the node keeps, answered on /stats and exported on /metrics (`http/prometheus-metrics.ts`). */
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
  gcBytesFreed = 0;

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }
}
