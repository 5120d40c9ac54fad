import { createReadStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Hex, toHex } from "viem";
import { CommitmentBuilder, cidOfStream } from "#protocol";
import { InvalidArgumentError } from "../errors.ts";

/** What can be uploaded: bytes, a file path, or a stream (web or async iterable). */
export type UploadSource = Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A source with its CID and commitment computed, ready to be sent to any number of nodes. */
export interface PreparedSource {
  size: number;
  cid: string;
  cidBytes: Hex;
  commitment: Hex;
  /** The bytes again, from the start (each call a fresh pass). */
  open(): AsyncIterable<Uint8Array>;
  /** Removes the spool file a one-shot stream was copied to. */
  dispose(): Promise<void>;
}

const READ_CHUNK = 1 << 20;

/**
 * Computes CID and commitment in one streaming pass. A file or a buffer can be read again for
 * each node; a one-shot stream is spooled to a temporary file on the way through.
 */
export async function prepareSource(
  source: UploadSource,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<PreparedSource> {
  const { signal } = options;
  if (typeof source === "string") {
    const info = await stat(source).catch(() => undefined);
    if (!info?.isFile()) throw new InvalidArgumentError(`${source} is not a readable file`);
    const open = () =>
      createReadStream(source, { highWaterMark: READ_CHUNK, signal }) as AsyncIterable<Uint8Array>;
    return { ...(await hashPass(open(), options)), open, dispose: async () => undefined };
  }
  if (source instanceof Uint8Array) {
    const open = async function* () {
      for (let offset = 0; offset < source.length; offset += READ_CHUNK) {
        yield source.subarray(offset, offset + READ_CHUNK);
      }
    };
    return { ...(await hashPass(open(), options)), open, dispose: async () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), "strata-upload-"));
  const path = join(dir, "blob");
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const handle = await open(path, "w");
    try {
      const spool = async function* () {
        for await (const chunk of source as AsyncIterable<Uint8Array>) {
          signal?.throwIfAborted();
          await handle.write(chunk);
          yield chunk;
        }
      };
      const hashed = await hashPass(spool(), options);
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

async function hashPass(
  source: AsyncIterable<Uint8Array>,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void },
) {
  const builder = new CommitmentBuilder();
  const tee = async function* () {
    for await (const chunk of source) {
      options.signal?.throwIfAborted();
      builder.update(chunk);
      options.onBytes?.(chunk.length);
      yield chunk;
    }
  };
  const cid = await cidOfStream(tee(), options.signal ? { signal: options.signal } : {});
  if (builder.size === 0) throw new InvalidArgumentError("cannot upload an empty blob");
  return {
    size: builder.size,
    cid: cid.toString(),
    cidBytes: toHex(cid.bytes),
    commitment: toHex(builder.digest()),
  };
}
