import { describe, expect, it } from "vitest";
import { Flusher } from "./flush.ts";

/** A sync that stays pending until released, recording when each one started. */
function controlledSync() {
  const started: { release: () => void; fail: (error: Error) => void }[] = [];
  const sync = () =>
    new Promise<void>((resolve, reject) => {
      started.push({ release: resolve, fail: reject });
    });
  return { sync, started };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("Flusher", () => {
  it("answers every caller that arrives during a sync with one shared sync that starts after it", async () => {
    const { sync, started } = controlledSync();
    const flusher = new Flusher("/data", sync);
    let firstDone = false;
    const first = flusher.flush().then(() => {
      firstDone = true;
    });
    expect(started).toHaveLength(1);
    const waiting = [flusher.flush(), flusher.flush(), flusher.flush()];
    let waitingDone = 0;
    for (const w of waiting) void w.then(() => (waitingDone += 1));
    await settle();
    expect(started).toHaveLength(1); // nobody starts a second sync while one runs
    started[0]!.release();
    await first;
    expect(firstDone).toBe(true);
    await settle();
    expect(waitingDone).toBe(0); // the first sync may have missed their writes
    expect(started).toHaveLength(2);
    started[1]!.release();
    await Promise.all(waiting);
    expect(waitingDone).toBe(3);
    expect(started).toHaveLength(2);
  });

  it("passes a failed sync to its callers and still serves the ones queued behind it", async () => {
    const { sync, started } = controlledSync();
    const flusher = new Flusher("/data", sync);
    const first = flusher.flush();
    const second = flusher.flush();
    started[0]!.fail(new Error("EIO"));
    await expect(first).rejects.toThrow("EIO");
    await settle();
    expect(started).toHaveLength(2);
    started[1]!.release();
    await expect(second).resolves.toBeUndefined();
  });
});
