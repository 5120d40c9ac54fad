import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { writeChunks } from "./write-chunks.ts";

const chunksOf = (count: number) => Array.from({ length: count }, (_, i) => new Uint8Array([i]));

async function* slowly(chunks: Uint8Array[], afterEach?: (i: number) => void) {
  for (const [i, chunk] of chunks.entries()) {
    yield chunk;
    afterEach?.(i);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("writeChunks", () => {
  test("hands every chunk back once the destination has taken it", async () => {
    const received: number[] = [];
    const out = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk[0]!);
        setImmediate(callback);
      },
    });
    const chunks = chunksOf(20);
    const back: Uint8Array[] = [];
    await writeChunks(out, slowly(chunks), (chunk) => back.push(chunk), new AbortController().signal);
    await new Promise((resolve) => out.end(resolve));
    expect(received).toEqual(chunks.map((_, i) => i));
    expect(back).toEqual(chunks);
  });

  test("stopped with writes whose callbacks never come: each chunk still comes back, once", async () => {
    // like a response whose socket is gone: it takes writes and never calls back
    const out = new Writable({ highWaterMark: 1 << 20, write() {} });
    const chunks = chunksOf(8);
    const controller = new AbortController();
    const back: Uint8Array[] = [];
    // the stop lands after the fifth chunk was taken from the source and before it is written
    const source = slowly(chunks, (i) => i === 3 && controller.abort(new Error("client went away")));
    await expect(writeChunks(out, source, (chunk) => back.push(chunk), controller.signal)).rejects.toThrow(
      "client went away",
    );
    expect(out.destroyed).toBe(true);
    expect(back).toHaveLength(5);
    expect(new Set(back).size).toBe(5);
    expect(back).toEqual(expect.arrayContaining(chunks.slice(0, 5)));
  });

  test("a failing source: what was written comes back, the destination is destroyed", async () => {
    const calls: Array<() => void> = [];
    const out = new Writable({
      highWaterMark: 1 << 20,
      write(_chunk, _encoding, callback) {
        calls.push(callback);
      },
    });
    const chunks = chunksOf(3);
    async function* failing() {
      yield* chunks;
      throw new Error("block missing");
    }
    const back: Uint8Array[] = [];
    await expect(
      writeChunks(out, failing(), (chunk) => back.push(chunk), new AbortController().signal),
    ).rejects.toThrow("block missing");
    expect(out.destroyed).toBe(true);
    // late callbacks from the destroyed stream hand nothing back a second time
    for (const call of calls) call();
    expect(back).toHaveLength(3);
    expect(new Set(back).size).toBe(3);
  });
});
