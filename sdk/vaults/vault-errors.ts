import type { VaultJobReply } from "../../api/vaults/index.ts";
import { StrataError } from "../errors.ts";

/** A vault job (snapshot, restore, migration) ended failed or cancelled; `job` is how it ended. */
export class VaultJobError extends StrataError {
  readonly job: VaultJobReply;

  constructor(job: VaultJobReply) {
    super(
      job.state === "cancelled" ? "STRATA_ERR_VAULT_JOB_CANCELLED" : "STRATA_ERR_VAULT_JOB_FAILED",
      `the vault ${job.kind} job ${job.id} ${job.state}: ${job.error?.code ?? ""} ${job.error?.message ?? ""}`.trim(),
    );
    this.job = job;
  }
}

/** The vault has no committed snapshot to restore. */
export class VaultNoSnapshotError extends StrataError {
  constructor(vaultId: number) {
    super("STRATA_ERR_NOT_FOUND", `vault ${vaultId} has no committed snapshot to restore`);
  }
}
