import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { toHex } from "viem";
import { type GroupedCommitment, GroupedCommitmentBuilder } from "#protocol";
import { ContentMismatchError, PayloadTooLargeError, TruncatedBodyError } from "../errors.ts";

/**
 * The cold tier's shards on disk: one file per blob (`shards/<blobId>`), written to a temporary
 * file, checked against its shard commitment, fsynced and renamed into place, so a shard file that
 * exists is whole and verified.
 */
export class ShardStore {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, "shards");
  }

  /** Creates the folder and drops temporary files a crash left behind. */
  async open(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    for (const name of await readdir(this.#dir)) {
      if (name.endsWith(".tmp")) await rm(join(this.#dir, name), { force: true });
    }
  }

  /** The folder (rebuilt blobs are written here while they are read; leftovers go at `open`). */
  get dir(): string {
    return this.#dir;
  }

  path(blobId: string): string {
    return join(this.#dir, blobId);
  }

  /**
   * Writes the shard `source` yields: exactly `size` bytes whose commitment is `root`, else
   * nothing is kept and a typed error says why. Durable when it resolves.
   */
  async write(
    blobId: string,
    source: AsyncIterable<Uint8Array>,
    expected: { size: number; root: string },
    options: { signal?: AbortSignal } = {},
  ): Promise<GroupedCommitment> {
    const final = this.path(blobId);
    const temp = `${final}.${process.pid}.${Date.now()}.tmp`;
    const file = await open(temp, "w");
    const builder = new GroupedCommitmentBuilder();
    let written = 0;
    try {
      for await (const chunk of source) {
        options.signal?.throwIfAborted();
        written += chunk.length;
        if (written > expected.size) throw new PayloadTooLargeError(expected.size);
        await builder.update(chunk);
        await file.write(chunk);
      }
      if (written < expected.size) throw new TruncatedBodyError(written, expected.size);
      const commitment = await builder.digest();
      const root = toHex(commitment.root);
      if (root !== expected.root) throw new ContentMismatchError("shard commitment", expected.root, root);
      await file.sync();
      await file.close();
      await rename(temp, final);
      const dir = await open(this.#dir, "r");
      await dir.sync().finally(() => dir.close());
      return commitment;
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** `length` bytes of the shard from `offset` (fewer only past its end). */
  async read(
    blobId: string,
    offset: number,
    length: number,
    options: { signal?: AbortSignal | undefined } = {},
  ) {
    options.signal?.throwIfAborted();
    const file = await open(this.path(blobId), "r");
    try {
      const out = Buffer.allocUnsafe(length);
      const { bytesRead } = await file.read(out, 0, length, offset);
      return out.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  /** The shard's parts `[from, from + length)` of each stripe, stripe after stripe. */
  async *stripes(
    blobId: string,
    layout: { stripes: number; shardStripeBytes: number },
    part: { from: number; length: number },
    options: { signal?: AbortSignal | undefined } = {},
  ): AsyncGenerator<Buffer> {
    const file = await open(this.path(blobId), "r");
    try {
      for (let t = 0; t < layout.stripes; t += 1) {
        options.signal?.throwIfAborted();
        const out = Buffer.allocUnsafe(part.length);
        const { bytesRead } = await file.read(out, 0, part.length, t * layout.shardStripeBytes + part.from);
        if (bytesRead !== part.length) throw new TruncatedBodyError(bytesRead, part.length);
        yield out;
      }
    } finally {
      await file.close();
    }
  }

  /** The shard's size on disk, or undefined when there is no shard file. */
  async size(blobId: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(blobId))).size;
    } catch {
      return undefined;
    }
  }

  async delete(blobId: string): Promise<void> {
    await rm(this.path(blobId), { force: true });
  }
}
