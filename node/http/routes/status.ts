import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { renderPrometheus } from "../../metrics.ts";
import type { AppDeps } from "../deps.ts";

const Stats = Type.Object({
  nodeId: Type.Integer(),
  peerId: Type.String(),
  uptimeSeconds: Type.Integer(),
  storage: Type.Object({
    max: Type.Integer(),
    heldBytes: Type.Integer(),
    cachedBytes: Type.Integer(),
    pinnedBlobs: Type.Integer(),
    droppedBlobs: Type.Integer({
      description: "Held blobs the chain dropped this node from: kept and served, no longer paid",
    }),
  }),
  cache: Type.Object({
    policy: Type.String(),
    capacity: Type.Integer(),
    entries: Type.Integer(),
    bytes: Type.Integer(),
    hits: Type.Integer(),
    misses: Type.Integer(),
    evictions: Type.Integer(),
    expirations: Type.Integer(),
  }),
  uploads: Type.Object({ count: Type.Integer(), bytes: Type.Integer(), refused: Type.Integer() }),
  reads: Type.Object({ count: Type.Integer(), bytes: Type.Integer() }),
  proofs: Type.Object({
    submitted: Type.Integer(),
    missed: Type.Integer(),
    failed: Type.Integer(),
    /** Other nodes' missed proofs this node reported. */
    reported: Type.Integer(),
    lastPeriod: Type.Union([Type.Integer(), Type.Null()]),
  }),
  gc: Type.Object({ runs: Type.Integer(), blocksRemoved: Type.Integer() }),
  heal: Type.Object({
    healed: Type.Integer({ description: "Places of dropped holders of hot blobs this node took and filled" }),
    fetchedBytes: Type.Integer({ description: "Replica bytes fetched from other holders to fill them" }),
    failed: Type.Integer({ description: "Heal attempts that failed (to be retried)" }),
  }),
  cold: Type.Object({
    shardsStored: Type.Integer({ description: "Shards taken in (uploads, migrations, repairs)" }),
    rebuilds: Type.Integer({ description: "Cold blobs rebuilt from shards" }),
    rebuiltBytes: Type.Integer(),
    cidMismatches: Type.Integer({
      description: "Rebuilds whose plain pass gave the wrong CID (whole shards read)",
    }),
    holdersLeftOut: Type.Integer({
      description:
        "Shard holders left out of a rebuild: their stream failed or their shard missed its commitment",
    }),
    repairs: Type.Integer({ description: "Shards of this node rebuilt from other holders" }),
    repairBytesIn: Type.Integer({ description: "Repair symbols received" }),
    repairBytesOut: Type.Integer({ description: "Repair symbols served to other holders" }),
    coldReads: Type.Integer({ description: "Reads that found a blob only in the cold tier" }),
    lazyLoads: Type.Integer({ description: "Cold blobs loaded into the hot tier by a read" }),
    promotions: Type.Integer({ description: "Hot copies of cold blobs kept hot for their reads" }),
    demotions: Type.Integer({ description: "Hot copies of cold blobs dropped for lack of reads" }),
    hotCopies: Type.Array(
      Type.Object({
        cid: Type.String(),
        blobId: Type.String(),
        reads: Type.Integer(),
        promoted: Type.Boolean(),
      }),
    ),
  }),
  buffers: Type.Object({
    inUse: Type.Integer({ description: "Block buffers held by uploads and reads in progress" }),
    free: Type.Integer({ description: "Block buffers waiting for reuse" }),
  }),
});

/** GET /stats, /health and /metrics. */
export function statusRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  const stats = async () => {
    const usage = deps.holdings.usage();
    const cache = deps.cache.stats();
    const prover = deps.proverStats?.() ?? { submitted: 0, missed: 0, lastPeriod: null };
    let pinnedBlobs = 0;
    let droppedBlobs = 0;
    for await (const record of deps.records.all()) {
      pinnedBlobs += 1;
      if (record.dropped) droppedBlobs += 1;
    }
    const m = deps.metrics;
    const buffers = deps.stores.buffers.stats();
    return {
      nodeId: deps.chain.nodeId,
      peerId: deps.helia.libp2p.peerId.toString(),
      uptimeSeconds: m.uptimeSeconds(),
      storage: {
        max: usage.max,
        heldBytes: usage.held,
        cachedBytes: usage.cached,
        pinnedBlobs,
        droppedBlobs,
      },
      cache: { ...cache, policy: cache.policy },
      uploads: { count: m.uploads, bytes: m.uploadedBytes, refused: m.uploadsRefused },
      reads: { count: m.reads, bytes: m.readBytes },
      proofs: {
        submitted: prover.submitted,
        missed: prover.missed,
        failed: m.proofsFailed,
        reported: m.missesReported,
        lastPeriod: prover.lastPeriod,
      },
      gc: { runs: m.gcRuns, blocksRemoved: m.gcBlocksRemoved },
      heal: { ...(deps.healStats?.() ?? { healed: 0, fetchedBytes: 0, failed: 0 }) },
      cold: { ...deps.cold.stats, ...deps.tiering.stats, hotCopies: deps.tiering.copies() },
      buffers: { inUse: buffers.out, free: buffers.free },
    };
  };

  return async (app) => {
    app.get(
      "/stats",
      { schema: { summary: "What the node stores, caches, serves and proves", response: { 200: Stats } } },
      stats,
    );

    app.get(
      "/health",
      {
        schema: {
          summary:
            "Liveness: the node is up, reaches the chain and takes uploads (503 with a code when dropped or inactive)",
          response: {
            200: Type.Object({ status: Type.Literal("ok"), nodeId: Type.Integer(), block: Type.String() }),
            503: Type.Object({
              status: Type.Literal("degraded"),
              nodeId: Type.Integer(),
              reason: Type.String(),
              code: Type.Optional(
                Type.String({
                  description: "NODE_ERR_NODE_DROPPED or NODE_ERR_NODE_INACTIVE: uploads are refused",
                }),
              ),
              message: Type.Optional(Type.String()),
            }),
          },
        },
      },
      async (_request, reply) => {
        const standing = await deps.standing.current();
        if (standing !== "active") {
          const code = standing === "dropped" ? "NODE_ERR_NODE_DROPPED" : "NODE_ERR_NODE_INACTIVE";
          const reason = `this node is ${standing} on chain: it serves what it holds and takes no uploads`;
          return reply
            .code(503)
            .send({ status: "degraded", nodeId: deps.chain.nodeId, reason, code, message: reason });
        }
        try {
          const block = await deps.chain.publicClient.getBlockNumber();
          return { status: "ok" as const, nodeId: deps.chain.nodeId, block: block.toString() };
        } catch (error) {
          return reply.code(503).send({
            status: "degraded" as const,
            nodeId: deps.chain.nodeId,
            reason: (error as Error).message,
          });
        }
      },
    );

    app.get(
      "/metrics",
      {
        schema: {
          summary: "Prometheus metrics",
          produces: ["text/plain"],
          response: { 200: Type.String() },
        },
      },
      async (_request, reply) => {
        const s = await stats();
        const counter = (name: string, help: string, value: number) => ({
          name,
          help,
          type: "counter" as const,
          value,
        });
        const gauge = (name: string, help: string, value: number) => ({
          name,
          help,
          type: "gauge" as const,
          value,
        });
        reply.header("content-type", "text/plain; version=0.0.4; charset=utf-8");
        return renderPrometheus([
          gauge("strata_node_storage_max_bytes", "StorageMax", s.storage.max),
          gauge("strata_node_held_bytes", "Bytes of blobs held for the chain", s.storage.heldBytes),
          gauge("strata_node_cached_bytes", "Bytes of hot-cache copies", s.storage.cachedBytes),
          gauge("strata_node_pinned_blobs", "Blobs held", s.storage.pinnedBlobs),
          gauge("strata_node_dropped_blobs", "Blobs held after a drop", s.storage.droppedBlobs),
          gauge("strata_node_cache_entries", "Hot-cache entries", s.cache.entries),
          counter("strata_node_cache_hits_total", "Hot-cache hits", s.cache.hits),
          counter("strata_node_cache_misses_total", "Hot-cache misses", s.cache.misses),
          counter("strata_node_cache_evictions_total", "Hot-cache evictions", s.cache.evictions),
          counter("strata_node_cache_expirations_total", "Hot-cache expirations", s.cache.expirations),
          counter("strata_node_uploads_total", "Uploads stored", s.uploads.count),
          counter("strata_node_upload_bytes_total", "Bytes uploaded", s.uploads.bytes),
          counter(
            "strata_node_uploads_refused_total",
            "Uploads refused for lack of space",
            s.uploads.refused,
          ),
          counter("strata_node_reads_total", "Reads served", s.reads.count),
          counter("strata_node_read_bytes_total", "Bytes served", s.reads.bytes),
          counter("strata_node_proofs_submitted_total", "Periods proven", s.proofs.submitted),
          counter("strata_node_proofs_missed_total", "Periods missed", s.proofs.missed),
          counter("strata_node_proofs_failed_total", "Proof attempts that failed", s.proofs.failed),
          counter(
            "strata_node_misses_reported_total",
            "Other nodes' missed proofs reported",
            s.proofs.reported,
          ),
          counter("strata_node_cold_shards_stored_total", "Shards taken in", s.cold.shardsStored),
          counter("strata_node_cold_rebuilds_total", "Cold blobs rebuilt from shards", s.cold.rebuilds),
          counter("strata_node_cold_rebuilt_bytes_total", "Bytes of cold blobs rebuilt", s.cold.rebuiltBytes),
          counter(
            "strata_node_cold_holders_left_out_total",
            "Shard holders left out of rebuilds",
            s.cold.holdersLeftOut,
          ),
          counter("strata_node_cold_repairs_total", "Shards of this node repaired", s.cold.repairs),
          counter("strata_node_cold_repair_bytes_in_total", "Repair symbols received", s.cold.repairBytesIn),
          counter("strata_node_cold_repair_bytes_out_total", "Repair symbols served", s.cold.repairBytesOut),
          counter("strata_node_cold_promotions_total", "Hot copies promoted", s.cold.promotions),
          counter("strata_node_cold_demotions_total", "Hot copies demoted", s.cold.demotions),
          counter("strata_node_gc_runs_total", "Garbage collections", s.gc.runs),
          counter("strata_node_gc_blocks_removed_total", "Blocks garbage collected", s.gc.blocksRemoved),
          gauge("strata_node_uptime_seconds", "Seconds since start", s.uptimeSeconds),
        ]);
      },
    );
  };
}
