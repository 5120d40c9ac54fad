import { PassThrough } from "node:stream";
import { describe, expect, test } from "vitest";
import { UploadStalledError } from "../errors.ts";
import { idleLimited } from "./upload-body.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("idleLimited", () => {
  test("passes every chunk of a body that keeps arriving", async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    void (async () => {
      for (let i = 0; i < 5; i += 1) {
        stream.write(Buffer.from([i]));
        await pause(20);
      }
      stream.end();
    })();
    const seen: number[] = [];
    for await (const chunk of idleLimited(stream, 200, controller)) seen.push(...chunk);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(controller.signal.aborted).toBe(false);
  });

  test("fails with UploadStalledError and aborts once no chunk comes for the idle time", async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    stream.write(Buffer.from([1]));
    const started = Date.now();
    const consume = async () => {
      for await (const _ of idleLimited(stream, 100, controller)) {
        // the first chunk, then nothing
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(UploadStalledError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(controller.signal.reason).toBeInstanceOf(UploadStalledError);
    // the stream is left to the caller, to answer the request
    expect(stream.destroyed).toBe(false);
  });

  test("time the consumer spends on a chunk does not count as idle", async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    stream.write(Buffer.from([1]));
    stream.end(Buffer.from([2]));
    const seen: number[] = [];
    for await (const chunk of idleLimited(stream, 50, controller)) {
      seen.push(...chunk);
      await pause(120);
    }
    expect(seen).toEqual([1, 2]);
  });
});
