import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, test } from "vitest";
import { createLogger } from "../../service/logger.ts";
import { type JobContext, VaultJobs } from "./vault-jobs.ts";

const logger = createLogger("silent");
const cleanups: (() => Promise<void>)[] = [];

async function scratchDir(name: string) {
  const path = await mkdtemp(join(tmpdir(), `strata-${name}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function jobsIn(pauseAt?: string) {
  const dir = await scratchDir("vault-jobs");
  cleanups.push(() => dir.cleanup());
  return { dir: dir.path, open: () => new VaultJobs({ dir: dir.path, logger, pauseAt }) };
}

const ended = async (jobs: VaultJobs, id: string) => {
  for (;;) {
    const job = jobs.get(id);
    if (["done", "failed", "cancelled"].includes(job.state)) return job;
    await sleep(10);
  }
};

describe("vault jobs", () => {
  test("a job runs through its states, keeps its checkpoint and result, one at a time per vault", async () => {
    const { open } = await jobsIn();
    const jobs = open();
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    jobs.register("snapshot", async (context: JobContext) => {
      await context.enter("packing", 100);
      context.progress(40);
      context.save({ step: 1 });
      await gate;
      return { sequence: 1 };
    });
    const job = jobs.start("snapshot", 1, { replicas: 1 });
    jobs.subscribe(job.id, (j) => seen.push(j.state));
    expect(() => jobs.start("snapshot", 1, {})).toThrow(/has a snapshot running/);
    expect(jobs.start("snapshot", 2, {}).vaultId).toBe(2);
    release();
    const done = await ended(jobs, job.id);
    expect(done).toMatchObject({
      state: "done",
      result: { sequence: 1 },
      percent: 100,
      checkpoint: { step: 1 },
    });
    expect(seen).toContain("done");
    await jobs.stop();
  });

  test("a job a crash left unfinished runs again from its checkpoint at the next start", async () => {
    const { open } = await jobsIn();
    const first = open();
    const runs: unknown[] = [];
    first.register("restore", async (context) => {
      runs.push(context.job.checkpoint);
      await context.enter("fetching");
      context.save({ fetched: true });
      // held until the node stops (a crash would not even say so)
      await new Promise((_, reject) => {
        if (context.signal.aborted) reject(context.signal.reason);
        context.signal.addEventListener("abort", () => reject(context.signal.reason), { once: true });
      });
      return {};
    });
    const job = first.start("restore", 5, {});
    while (first.get(job.id).state !== "fetching") await sleep(5);
    await first.stop();
    const second = open();
    second.register("restore", async (context) => {
      runs.push(context.job.checkpoint);
      return { resumed: true };
    });
    second.resume();
    expect(await ended(second, job.id)).toMatchObject({ state: "done", result: { resumed: true } });
    expect(runs).toEqual([{}, { fetched: true }]);
    await second.stop();
  });

  test("cancel ends a job cancelled; a failure keeps its code; past the point of no return cancel is refused", async () => {
    const { open } = await jobsIn("uploading");
    const jobs = open();
    jobs.register("snapshot", async (context) => {
      await context.enter("uploading");
      return {};
    });
    jobs.register("migrate", async (context) => {
      await context.enter("committing");
      throw Object.assign(new Error("no room"), { code: "NODE_ERR_VAULT_QUOTA" });
    });
    const held = jobs.start("snapshot", 1, {});
    while (jobs.get(held.id).state !== "uploading") await sleep(5);
    jobs.cancel(held.id);
    expect(await ended(jobs, held.id)).toMatchObject({
      state: "cancelled",
      error: { code: "NODE_ERR_JOB_CANCELLED" },
    });
    expect(() => jobs.cancel(held.id)).toThrow(/no longer be cancelled/);
    const failing = jobs.start("migrate", 1, {});
    expect(await ended(jobs, failing.id)).toMatchObject({
      state: "failed",
      error: { code: "NODE_ERR_VAULT_QUOTA" },
    });
    expect(() => jobs.get("0".repeat(32))).toThrow(/not stored here/);
    await jobs.stop();
  });
});
