import { createReadStream } from "node:fs";
import { open, rm } from "node:fs/promises";

/** Where the stripes of a rebuild go while the CID is checked, and where readers read them back. */
export interface RebuildSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  read(range?: { offset: number; length: number }): AsyncIterable<Uint8Array>;
  discard(): Promise<void>;
}

/** Keeps the rebuilt stripes as they are. */
export function memorySink(): RebuildSink {
  let chunks: Uint8Array[] = [];
  return {
    async write(chunk) {
      chunks.push(chunk);
    },
    async close() {},
    async *read(range) {
      const start = range?.offset ?? 0;
      const end = range ? range.offset + range.length : Number.POSITIVE_INFINITY;
      let at = 0;
      for (const chunk of chunks) {
        const from = Math.max(start - at, 0);
        const to = Math.min(end - at, chunk.length);
        if (from < to) yield chunk.subarray(from, to);
        at += chunk.length;
        if (at >= end) return;
      }
    },
    async discard() {
      chunks = [];
    },
  };
}

/** Writes the rebuilt stripes to a temporary file (large blobs). */
export async function fileSink(path: string): Promise<RebuildSink> {
  const file = await open(path, "w");
  let closed = false;
  return {
    async write(chunk) {
      await file.write(chunk);
    },
    async close() {
      closed = true;
      await file.close();
    },
    read(range) {
      const bounds = range ? { start: range.offset, end: range.offset + range.length - 1 } : {};
      return createReadStream(path, { ...bounds, highWaterMark: 1024 * 1024 });
    },
    async discard() {
      if (!closed) await file.close().catch(() => undefined);
      closed = true;
      await rm(path, { force: true });
    },
  };
}
