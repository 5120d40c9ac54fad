import { createReadStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors.ts";
import { blobChunks, bytesChunks, READ_CHUNK, streamChunks } from "./byte-chunks.ts";
import { hashSource } from "./hash-source.ts";
import type { PreparedSource, UploadSource } from "./upload-types.ts";

export type { PreparedSource, UploadSource } from "./upload-types.ts";

/** How a source is prepared: a signal, the size when it is known up front, each chunk hashed. */
export interface PrepareOptions {
  signal?: AbortSignal;
  onSize?: (size: number) => void;
  onBytes?: (bytes: number) => void;
}

/**
 * Computes CID and commitment in one streaming pass. A file, a Blob or a buffer can be read again
 * for each node; a one-shot stream is spooled to a temporary file on the way through. (The
 * browser build takes `prepare-source.browser.ts`, which keeps a stream in a Blob instead.)
 */
export async function prepareSource(
  source: UploadSource,
  options: PrepareOptions = {},
): Promise<PreparedSource> {
  const { signal } = options;
  const nothing = async () => undefined;
  if (typeof source === "string") {
    const info = await stat(source).catch(() => undefined);
    if (!info?.isFile()) throw new InvalidArgumentError(`${source} is not a readable file`);
    options.onSize?.(info.size);
    const open = () =>
      createReadStream(source, { highWaterMark: READ_CHUNK, signal }) as AsyncIterable<Uint8Array>;
    return { ...(await hashSource(open(), options)), open, dispose: nothing };
  }
  if (source instanceof Uint8Array) {
    options.onSize?.(source.length);
    const open = () => bytesChunks(source);
    return { ...(await hashSource(open(), options)), open, dispose: nothing };
  }
  if (source instanceof Blob) {
    options.onSize?.(source.size);
    const open = () => blobChunks(source, signal);
    return { ...(await hashSource(open(), options)), open, blob: source, dispose: nothing };
  }
  const dir = await mkdtemp(join(tmpdir(), "strata-upload-"));
  const path = join(dir, "blob");
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const handle = await open(path, "w");
    try {
      const spool = async function* () {
        for await (const chunk of streamChunks(source, signal)) {
          await handle.write(chunk);
          yield chunk;
        }
      };
      const hashed = await hashSource(spool(), options);
      await handle.sync();
      const reopen = () =>
        createReadStream(path, { highWaterMark: READ_CHUNK, signal }) as AsyncIterable<Uint8Array>;
      return { ...hashed, open: reopen, dispose };
    } finally {
      await handle.close();
    }
  } catch (error) {
    await dispose();
    throw error;
  }
}
