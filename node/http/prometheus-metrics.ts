import { Gauge } from "prom-client";
import type { NodeStats } from "../../api/node/node-stats.ts";
import {
  type LabelledStatMetric,
  type Registry,
  registerStatMetrics,
  type StatMetric,
} from "../../service/metrics.ts";

/** A decimal amount of /stats as a number (NaN, exported as 0, when not known yet). */
const amount = (value: string | null): number => (value === null ? Number.NaN : Number(value));

const gauge = (name: string, help: string, value: (s: NodeStats) => number): StatMetric<NodeStats> => ({
  name,
  help,
  type: "gauge",
  value,
});
const counter = (name: string, help: string, value: (s: NodeStats) => number): StatMetric<NodeStats> => ({
  name,
  help,
  type: "counter",
  value,
});

const perMount = (
  name: string,
  help: string,
  value: (mount: NodeStats["storage"]["mounts"][number]) => number | null,
): LabelledStatMetric<NodeStats> => ({
  name,
  help,
  type: "labelled",
  labelNames: ["mountpoint", "type"],
  series: (s) =>
    s.storage.mounts.flatMap((mount) => {
      const measured = value(mount);
      return measured === null
        ? []
        : [{ labels: { mountpoint: mount.mountpoint, type: mount.type }, value: measured }];
    }),
});

/** The node's own metrics (names dashboards rely on), read from what GET /stats answers. */
const NODE_METRICS: readonly (StatMetric<NodeStats> | LabelledStatMetric<NodeStats>)[] = [
  gauge("strata_node_storage_max_bytes", "StorageMax", (s) => s.storage.max),
  gauge(
    "strata_node_used_bytes",
    "Bytes the data directory takes on disk (as du counts)",
    (s) => s.storage.usedBytes,
  ),
  gauge(
    "strata_node_reserved_bytes",
    "Disk bytes uploads in progress have yet to write",
    (s) => s.storage.reservedBytes,
  ),
  gauge(
    "strata_node_filesystem_free_bytes",
    "Bytes the data directory's file system has left",
    (s) => s.storage.freeBytes,
  ),
  gauge(
    "strata_node_filesystem_free_inodes",
    "Inodes the data directory's file system has left",
    (s) => s.storage.freeInodes,
  ),
  perMount(
    "strata_node_datastore_used_bytes",
    "Bytes each store of the datastore spec takes on disk",
    (m) => m.usedBytes,
  ),
  perMount(
    "strata_node_datastore_entries",
    "Values each counting store holds (blocks, at /blocks)",
    (m) => m.entries,
  ),
  perMount("strata_node_datastore_inodes", "Files and directories of each store", (m) => m.inodes),
  gauge(
    "strata_node_bloom_fill_ratio",
    "Share of the bloom filter's bits set",
    (s) => s.storage.bloom.fillRatio,
  ),
  gauge(
    "strata_node_bloom_false_positive_rate",
    "Estimated chance the bloom filter sends an absent block's has to the store",
    (s) => s.storage.bloom.falsePositiveRate,
  ),
  gauge("strata_node_bloom_warm", "1 when the bloom filter answers negative has calls", (s) =>
    s.storage.bloom.warm ? 1 : 0,
  ),
  counter(
    "strata_node_bloom_answered_total",
    "has calls answered absent from memory",
    (s) => s.storage.bloom.answered,
  ),
  counter("strata_node_bloom_passed_total", "has calls passed to the store", (s) => s.storage.bloom.passed),
  gauge("strata_node_held_bytes", "Bytes of blobs held for the chain", (s) => s.storage.heldBytes),
  gauge("strata_node_cached_bytes", "Bytes of hot-cache copies", (s) => s.storage.cachedBytes),
  gauge("strata_node_pinned_blobs", "Blobs held", (s) => s.storage.pinnedBlobs),
  gauge("strata_node_dropped_blobs", "Blobs held after a drop", (s) => s.storage.droppedBlobs),
  gauge("strata_node_cache_entries", "Hot-cache entries", (s) => s.cache.entries),
  counter("strata_node_cache_hits_total", "Hot-cache hits", (s) => s.cache.hits),
  counter("strata_node_cache_misses_total", "Hot-cache misses", (s) => s.cache.misses),
  counter("strata_node_cache_evictions_total", "Hot-cache evictions", (s) => s.cache.evictions),
  counter("strata_node_cache_expirations_total", "Hot-cache expirations", (s) => s.cache.expirations),
  counter("strata_node_uploads_total", "Uploads stored", (s) => s.uploads.count),
  counter("strata_node_upload_bytes_total", "Bytes uploaded", (s) => s.uploads.bytes),
  counter("strata_node_uploads_refused_total", "Uploads refused for lack of space", (s) => s.uploads.refused),
  counter("strata_node_reads_total", "Reads served", (s) => s.reads.count),
  counter("strata_node_read_bytes_total", "Bytes served", (s) => s.reads.bytes),
  counter("strata_node_proofs_submitted_total", "Periods proven", (s) => s.proofs.submitted),
  counter("strata_node_proofs_missed_total", "Periods missed", (s) => s.proofs.missed),
  counter("strata_node_proofs_failed_total", "Proof attempts that failed", (s) => s.proofs.failed),
  counter(
    "strata_node_misses_reported_total",
    "Other nodes' missed proofs reported",
    (s) => s.proofs.reported,
  ),
  counter("strata_node_cold_shards_stored_total", "Shards taken in", (s) => s.cold.shardsStored),
  counter("strata_node_cold_rebuilds_total", "Cold blobs rebuilt from shards", (s) => s.cold.rebuilds),
  counter("strata_node_cold_rebuilt_bytes_total", "Bytes of cold blobs rebuilt", (s) => s.cold.rebuiltBytes),
  counter(
    "strata_node_cold_holders_left_out_total",
    "Shard holders left out of rebuilds",
    (s) => s.cold.holdersLeftOut,
  ),
  counter("strata_node_cold_repairs_total", "Shards of this node repaired", (s) => s.cold.repairs),
  counter("strata_node_cold_repair_bytes_in_total", "Repair symbols received", (s) => s.cold.repairBytesIn),
  counter("strata_node_cold_repair_bytes_out_total", "Repair symbols served", (s) => s.cold.repairBytesOut),
  counter("strata_node_cold_promotions_total", "Hot copies promoted", (s) => s.cold.promotions),
  counter("strata_node_cold_demotions_total", "Hot copies demoted", (s) => s.cold.demotions),
  counter("strata_node_gc_runs_total", "Garbage collections", (s) => s.gc.runs),
  counter("strata_node_gc_blocks_removed_total", "Blocks garbage collected", (s) => s.gc.blocksRemoved),
  counter(
    "strata_node_gc_freed_bytes_total",
    "Disk bytes garbage collection gave back",
    (s) => s.gc.bytesFreed,
  ),
  gauge("strata_node_uptime_seconds", "Seconds since start", (s) => s.uptimeSeconds),
  gauge("strata_node_id", "The node's id in the registry", (s) => s.nodeId),
  gauge("strata_node_active", "1 when the chain gives this node new blobs", (s) =>
    s.chain.standing === "active" ? 1 : 0,
  ),
  gauge("strata_node_dropped", "1 when the proof system dropped this node", (s) =>
    s.chain.standing === "dropped" ? 1 : 0,
  ),
  gauge("strata_node_misses_in_row", "Periods missed in a row", (s) => s.chain.missesInRow ?? Number.NaN),
  gauge("strata_node_stake_base_units", "Stake, token base units", (s) => amount(s.chain.stake)),
  gauge("strata_node_min_stake_base_units", "The registry's minimum stake, token base units", (s) =>
    amount(s.chain.minStake),
  ),
  gauge("strata_node_signer_gas_wei", "The signing key's balance, wei", (s) => amount(s.chain.signerGas)),
  gauge("strata_node_unclaimed_pay_base_units", "What a claim would pay now, token base units", (s) =>
    amount(s.chain.unclaimedPay),
  ),
  gauge("strata_node_chain_status_stale", "1 when the chain values are the last known, not fresh", (s) =>
    s.chain.stale ? 1 : 0,
  ),
  gauge("strata_node_chain_status_age_seconds", "Seconds since the chain values were read", (s) =>
    s.chain.readAt === null ? Number.NaN : (Date.now() - Date.parse(s.chain.readAt)) / 1000,
  ),
];

/**
 * Registers the node's metrics on `register`, read from `stats` once per scrape, and
 * `strata_node_info` (1, labelled with the node id, signing key and standing) from `info`.
 */
export function registerNodeMetrics(
  register: Registry,
  stats: () => Promise<NodeStats>,
  info: () => { nodeId: number; signer: string; standing: string },
): void {
  registerStatMetrics(register, stats, NODE_METRICS);
  new Gauge({
    name: "strata_node_info",
    help: "The node: id, signing key and standing on chain (always 1)",
    labelNames: ["node_id", "signer", "standing"] as const,
    registers: [register],
    collect() {
      const { nodeId, signer, standing } = info();
      this.reset();
      this.set({ node_id: String(nodeId), signer, standing }, 1);
    },
  });
}
