import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { NodePath, NodeSchema, type NodeStats, NodeStats as Stats } from "../../../api/node/index.ts";
import { ChainStatus, claimableBlobs, readChainAccount } from "../../chain/chain-status.ts";
import type { AppDeps } from "../deps.ts";
import { registerNodeMetrics } from "../prometheus-metrics.ts";

/** GET /stats, /health and /metrics. */
export function statusRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  const chainStatus =
    deps.chainStatus ??
    new ChainStatus({
      read: readChainAccount(deps.chain, () => claimableBlobs(deps.records.all())),
      signer: deps.chain.account.address,
    });
  const stats = async (): Promise<NodeStats> => {
    const chain = chainStatus.current();
    const usage = deps.budget.usage();
    const disk = await deps.disk.snapshot();
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
      startedAt: new Date(m.startedAt).toISOString(),
      uptimeSeconds: m.uptimeSeconds(),
      chain: await chain,
      storage: {
        max: usage.max,
        usedBytes: disk.usedBytes,
        reservedBytes: usage.reserved,
        freeBytes: disk.filesystem.freeBytes,
        freeInodes: disk.filesystem.freeInodes,
        mounts: disk.mounts.map((mount) => ({
          mountpoint: mount.mountpoint,
          type: mount.type,
          usedBytes: mount.bytes,
          entries: mount.entries,
          files: mount.files,
          inodes: mount.files + mount.dirs,
        })),
        bloom: deps.stores.blockstore.stats(),
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
      gc: { runs: m.gcRuns, blocksRemoved: m.gcBlocksRemoved, bytesFreed: m.gcBytesFreed },
      heal: { ...(deps.healStats?.() ?? { healed: 0, fetchedBytes: 0, failed: 0 }) },
      cold: { ...deps.coldStats(), ...deps.tiering.stats, hotCopies: deps.tiering.copies() },
      buffers: { inUse: buffers.out, free: buffers.free },
    };
  };

  registerNodeMetrics(deps.registry, stats, () => {
    const { signer, standing } = chainStatus.view();
    return { nodeId: deps.chain.nodeId, signer, standing };
  });
  return async (app) => {
    app.get(
      NodePath.stats,
      {
        schema: {
          summary: "What the node stores, caches, serves and proves, and its account on chain",
          description:
            "Counters count since `startedAt` (they restart from zero with the process); `chain` (standing, stake, signer gas, unclaimed pay) is read from the chain at most every few seconds and never waited on for long: `stale` marks the last values known when the chain is slow or unreachable.",
          response: { 200: Stats, ...NodeSchema.stats.response },
        },
      },
      stats,
    );

    app.get(
      NodePath.health,
      {
        schema: {
          summary:
            "Liveness: the node is up, reaches the chain and takes uploads (503 with a code when dropped or inactive)",
          ...NodeSchema.health,
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
      NodePath.metrics,
      {
        schema: {
          summary: "Prometheus metrics: the node's counters, request latency, process metrics",
          ...NodeSchema.metrics,
        },
      },
      async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
    );
  };
}
