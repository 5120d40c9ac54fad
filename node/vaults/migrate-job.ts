import { setTimeout as sleep } from "node:timers/promises";
import { createVaultNodeClient, vaultAuthorizer } from "../../api/vaults/index.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import { MigrationFailedError } from "../errors.ts";
import { type SnapshotDeps, type SnapshotResult, takeSnapshot } from "./snapshot-job.ts";
import type { JobContext } from "./vault-jobs.ts";

export type MigrateDeps = SnapshotDeps & { peers: Pick<PeerEndpoints, "client" | "of"> };

interface Restored {
  signature: string;
  nodeId: number;
  sequence: number;
  manifest: string;
}

/**
 * Moves a vault to node `to`, from its home: freezes it (writes get 423), snapshots it, has `to`
 * restore that snapshot (signed by this node, which the chain names the vault's home) and waits
 * for the owner to move the home on chain with `to`'s signature (the job's state `awaiting-move`
 * carries it); then the vault here turns read-only (`moved`) until it is released. A migration
 * that fails or is cancelled before the chain moves the home leaves the vault live here.
 */
export async function migrateVault(
  deps: MigrateDeps,
  context: JobContext,
  params: { to: number; replicas?: number },
): Promise<Record<string, unknown>> {
  const { vaults, chain, peers } = deps;
  const { job, signal } = context;
  const vault = await vaults.vault(job.vaultId);
  const saved = job.checkpoint as { snapshot?: SnapshotResult; remoteJob?: string; restored?: Restored };
  try {
    if (!saved.snapshot) {
      await context.enter("freezing");
      // the writes already queued land first; every later one is refused
      await vault.exclusive(async () => {
        vault.store.mode = "frozen";
      });
      const snapshot = await takeSnapshot(
        deps,
        context,
        params.replicas ? { replicas: params.replicas } : {},
      );
      context.save({ snapshot });
      saved.snapshot = snapshot;
    }
    const { snapshot } = saved;
    if (!saved.restored) {
      await context.enter("restoring", 100);
      const target = createVaultNodeClient({
        baseUrl: await peers.of(params.to),
        nodeId: params.to,
        vaultId: job.vaultId,
        authorize: vaultAuthorizer({
          address: chain.account.address,
          chainId: chain.deployment.chainId,
          vaultId: job.vaultId,
          signMessage: (message) => chain.account.signMessage({ message }),
        }),
      });
      let remote = saved.remoteJob;
      if (!remote) {
        remote = (
          await target.restore(
            { sequence: snapshot.sequence, manifest: snapshot.manifest, blobs: snapshot.blobs },
            { signal },
          )
        ).id;
        context.save({ remoteJob: remote });
      }
      let last = await target.job(remote, { signal });
      let reported = 0;
      for await (const update of target.follow(remote, { signal })) {
        last = update;
        context.progress(update.percent - reported);
        reported = update.percent;
      }
      if (last.state !== "done" || !last.result) {
        throw new MigrationFailedError(
          `node ${params.to} did not restore the vault: ${last.error?.code ?? last.state} ${last.error?.message ?? ""}`,
        );
      }
      saved.restored = last.result as unknown as Restored;
      context.save({ restored: saved.restored });
    }
    await context.enter("awaiting-move");
    context.publish({ to: params.to, ...saved.restored });
    // the owner sends moveHome with the target's signature (in this job's checkpoint and result)
    for (;;) {
      const onChain = await vaults.chainVault(job.vaultId, { fresh: true });
      if (onChain.home === params.to) break;
      if (onChain.home !== chain.nodeId) {
        throw new MigrationFailedError(
          `the chain moved vault ${job.vaultId} to node ${onChain.home}, not ${params.to}`,
        );
      }
      await sleep(500, undefined, { signal });
    }
    await context.enter("releasing");
    vault.store.mode = "moved";
    vault.store.set("movedAt", String(Date.now()));
    return { to: params.to, ...saved.restored, blobs: snapshot.blobs };
  } catch (error) {
    const onChain = await vaults.chainVault(job.vaultId, { fresh: true }).catch(() => undefined);
    if (onChain?.home === chain.nodeId && vault.store.mode === "frozen") vault.store.mode = "live";
    throw error;
  }
}
