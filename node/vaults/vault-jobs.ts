import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import type { VaultJobReply } from "../../api/vaults/index.ts";
import type { Logger } from "../../service/logger.ts";
import { JobFinishedError, JobRunningError, NotFoundError } from "../errors.ts";

export type JobKind = VaultJobReply["kind"];
export type Job = VaultJobReply & { params: Record<string, unknown>; checkpoint: Record<string, unknown> };

/** What a job's runner works with: its row, progress, a checkpoint to resume from, the signal of a cancel. */
export interface JobContext {
  job: Job;
  signal: AbortSignal;
  /** Moves the job to `state` (and waits while a fault pauses jobs there). */
  enter(state: string, total?: number): Promise<void>;
  progress(bytes: number, total?: number): void;
  save(checkpoint: Record<string, unknown>): void;
  /** Shows a result before the job ends (a migration's restore signature, while it awaits the move). */
  publish(result: Record<string, unknown>): void;
}

export type JobRunner = (context: JobContext) => Promise<Record<string, unknown>>;

const FINAL = new Set(["done", "failed", "cancelled"]);
/** States a cancel no longer stops: the chain is being told. */
const PAST_CANCEL = new Set(["certifying", "committing", "releasing", "signing"]);

/**
 * The node's vault jobs (snapshots, restores, migrations), persisted in SQLite with their state,
 * progress and checkpoint: after a crash each unfinished one runs again from its checkpoint. One
 * job at a time per vault; a cancel aborts a job's signal and it ends `cancelled`.
 */
export class VaultJobs {
  readonly #db: Database.Database;
  readonly #events = new EventEmitter();
  readonly #running = new Map<string, AbortController>();
  readonly #runners: Partial<Record<JobKind, JobRunner>> = {};
  readonly #logger: Logger;
  readonly #pauseAt: string | undefined;
  readonly #done = new Set<Promise<unknown>>();

  constructor(options: { dir: string; logger: Logger; pauseAt?: string | undefined }) {
    mkdirSync(options.dir, { recursive: true });
    this.#db = new Database(join(options.dir, "jobs.sqlite"));
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.exec(`CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, vault_id INTEGER NOT NULL, kind TEXT NOT NULL,
      state TEXT NOT NULL, bytes INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0, params TEXT NOT NULL,
      checkpoint TEXT NOT NULL DEFAULT '{}', error TEXT, result TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL)`);
    this.#events.setMaxListeners(0);
    this.#logger = options.logger.child({ component: "vault-jobs" });
    this.#pauseAt = options.pauseAt;
  }

  register(kind: JobKind, runner: JobRunner): void {
    this.#runners[kind] = runner;
  }

  get(id: string): Job {
    const row = this.#db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
    if (!row) throw new NotFoundError(`job ${id}`);
    const live = this.#progress.get(id);
    return jobOf(live ? { ...row, ...live } : row);
  }

  /**
   * Bytes done of running jobs, kept in memory: a job's progress moves many times a second and
   * is pushed to its followers, but only its states and checkpoints are written (each an fsync).
   */
  readonly #progress = new Map<string, { bytes: number; total: number }>();

  /** The unfinished job of a vault, if any. */
  active(vaultId: number): Job | undefined {
    const rows = this.#db
      .prepare("SELECT * FROM jobs WHERE vault_id = ? ORDER BY created")
      .all(vaultId) as JobRow[];
    return rows.map(jobOf).find((job) => !FINAL.has(job.state));
  }

  /** Creates and starts a job; refused while another job of the vault runs (409). */
  start(kind: JobKind, vaultId: number, params: Record<string, unknown>): Job {
    const running = this.active(vaultId);
    if (running) throw new JobRunningError(vaultId, running.id, running.kind);
    const now = Date.now();
    const id = randomBytes(16).toString("hex");
    this.#db
      .prepare(
        "INSERT INTO jobs (id, vault_id, kind, state, params, created, updated) VALUES (?, ?, ?, 'queued', ?, ?, ?)",
      )
      .run(id, vaultId, kind, JSON.stringify(params), now, now);
    this.#run(id);
    return this.get(id);
  }

  /** Runs every job a crash left unfinished, from its checkpoint. */
  resume(): void {
    const rows = this.#db
      .prepare("SELECT id FROM jobs WHERE state NOT IN ('done', 'failed', 'cancelled')")
      .all() as { id: string }[];
    for (const { id } of rows) {
      this.#logger.info({ job: id }, "resuming vault job");
      this.#run(id);
    }
  }

  /** Cancels a job: it stops within a second and ends `cancelled`; one past the point of no return is refused. */
  cancel(id: string): Job {
    const job = this.get(id);
    if (FINAL.has(job.state) || PAST_CANCEL.has(job.state)) throw new JobFinishedError(id, job.state);
    this.#running.get(id)?.abort(new Error("cancelled"));
    return this.get(id);
  }

  /** Calls `listener` with the job on every change until it ends; returns the unsubscribe. */
  subscribe(id: string, listener: (job: Job) => void): () => void {
    this.#events.on(id, listener);
    return () => this.#events.off(id, listener);
  }

  /**
   * Aborts running jobs (they resume at the next start) and waits for them to stop, a few seconds
   * at most: what is left then is resumed from its checkpoint like after a crash.
   */
  async stop(): Promise<void> {
    for (const controller of this.#running.values()) controller.abort(new Error("node stopping"));
    await Promise.race([Promise.allSettled([...this.#done]), sleep(5_000)]);
    this.#stopped = true;
    this.#db.close();
  }

  #stopped = false;

  #update(
    id: string,
    patch: Partial<Record<"state" | "bytes" | "total" | "checkpoint" | "error" | "result", unknown>>,
  ): void {
    if (this.#stopped) return;
    const sets = Object.keys(patch).map((key) => `${key} = @${key}`);
    const values: Record<string, unknown> = { id, updated: Date.now() };
    for (const [key, value] of Object.entries(patch)) {
      values[key] = typeof value === "object" && value !== null ? JSON.stringify(value) : value;
    }
    this.#db
      .prepare(`UPDATE jobs SET ${[...sets, "updated = @updated"].join(", ")} WHERE id = @id`)
      .run(values);
    this.#events.emit(id, this.get(id));
  }

  #run(id: string): void {
    const job = this.get(id);
    const runner = this.#runners[job.kind];
    const controller = new AbortController();
    this.#running.set(id, controller);
    let bytes = job.bytes;
    let lastEmit = 0;
    const context: JobContext = {
      job,
      signal: controller.signal,
      enter: async (state, total) => {
        controller.signal.throwIfAborted();
        this.#progress.set(id, { bytes: 0, total: total ?? 0 });
        this.#update(id, { state, bytes: 0, total: total ?? 0 });
        bytes = 0;
        this.#logger.info({ job: id, vault_id: job.vaultId, kind: job.kind, state }, "vault job state");
        if (this.#pauseAt === state) {
          // a fault for the crash tests: the job holds here until the process is killed or it is cancelled
          await new Promise((_, reject) =>
            controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
              once: true,
            }),
          );
        }
      },
      progress: (delta, total) => {
        bytes += delta;
        const live = this.#progress.get(id) ?? { bytes: 0, total: 0 };
        live.bytes = bytes;
        if (total !== undefined) live.total = total;
        this.#progress.set(id, live);
        const now = Date.now();
        if (now - lastEmit < 200 && total === undefined) return;
        lastEmit = now;
        this.#events.emit(id, this.get(id));
      },
      publish: (result) => this.#update(id, { result }),
      save: (checkpoint) => {
        job.checkpoint = { ...job.checkpoint, ...checkpoint };
        this.#update(id, { checkpoint: job.checkpoint });
      },
    };
    const done = (async () => {
      try {
        if (!runner) throw new Error(`no runner for ${job.kind} jobs`);
        const result = await runner(context);
        this.#update(id, { state: "done", result, bytes });
        this.#logger.info({ job: id, vault_id: job.vaultId, kind: job.kind }, "vault job done");
      } catch (error) {
        const reason = controller.signal.reason as Error | undefined;
        if (controller.signal.aborted && reason?.message === "node stopping") return;
        if (controller.signal.aborted) {
          this.#update(id, {
            state: "cancelled",
            error: { code: "NODE_ERR_JOB_CANCELLED", message: "cancelled" },
          });
          this.#logger.info({ job: id, vault_id: job.vaultId }, "vault job cancelled");
          return;
        }
        const code = (error as { code?: string }).code ?? "NODE_ERR_INTERNAL";
        const message = (error as Error).message ?? String(error);
        this.#update(id, { state: "failed", error: { code, message } });
        this.#logger.warn({ job: id, vault_id: job.vaultId, kind: job.kind, err: error }, "vault job failed");
      } finally {
        this.#running.delete(id);
        this.#progress.delete(id);
      }
    })();
    this.#done.add(done);
    void done.finally(() => this.#done.delete(done));
  }
}

interface JobRow {
  id: string;
  vault_id: number;
  kind: JobKind;
  state: string;
  bytes: number;
  total: number;
  params: string;
  checkpoint: string;
  error: string | null;
  result: string | null;
  created: number;
  updated: number;
}

function jobOf(row: JobRow): Job {
  return {
    id: row.id,
    vaultId: row.vault_id,
    kind: row.kind,
    state: row.state,
    bytes: row.bytes,
    total: row.total,
    percent:
      row.state === "done"
        ? 100
        : row.total > 0
          ? Math.min(99.9, Math.round((row.bytes / row.total) * 1000) / 10)
          : 0,
    error: row.error ? (JSON.parse(row.error) as { code: string; message: string }) : null,
    result: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : null,
    created: row.created,
    updated: row.updated,
    params: JSON.parse(row.params) as Record<string, unknown>,
    checkpoint: JSON.parse(row.checkpoint) as Record<string, unknown>,
  };
}
