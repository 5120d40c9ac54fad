import type { Datastore } from "interface-datastore";
import { Key } from "interface-datastore";
import type { Hex } from "viem";

/** A block the watcher processed: its number and the hash it had then. */
export interface BlockMark {
  number: bigint;
  hash: Hex;
}

const CURSOR = new Key("/strata/watcher/cursor");
const BLOCKS = new Key("/strata/watcher/blocks");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Where the watcher is on the chain, kept in the datastore: the next block to read (the
 * cursor), and the hashes of the last blocks it read (at most `keep`), newest last. After a
 * reorg the watcher walks these back to the newest block the chain still has and reads on from
 * there.
 */
export class BlockTrail {
  readonly #datastore: Datastore;
  readonly #keep: number;
  #marks: BlockMark[] = [];
  #cursor = 0n;

  constructor(datastore: Datastore, options: { keep?: number } = {}) {
    this.#datastore = datastore;
    this.#keep = options.keep ?? 128;
  }

  /** Reads the cursor and kept hashes; `start` is the cursor of a node that has none. */
  async load(start: bigint, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    this.#cursor = (await this.#read(CURSOR, options)) ?? start;
    const kept = await this.#read(BLOCKS, options, (text) => JSON.parse(text) as [string, Hex][]);
    this.#marks = (kept ?? []).map(([number, hash]) => ({ number: BigInt(number), hash }));
  }

  /** The next block to read. */
  get cursor(): bigint {
    return this.#cursor;
  }

  /** The newest block read, if any is kept. */
  get last(): BlockMark | undefined {
    return this.#marks.at(-1);
  }

  /** Kept blocks, newest first. */
  newestFirst(): BlockMark[] {
    return [...this.#marks].reverse();
  }

  /** Records blocks read up to `end` (and any with events, `seen`); the cursor moves past `end`. */
  async advance(
    end: BlockMark,
    seen: BlockMark[],
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<void> {
    const byNumber = new Map(this.#marks.map((mark) => [mark.number, mark]));
    for (const mark of [...seen, end]) byNumber.set(mark.number, mark);
    this.#marks = [...byNumber.values()]
      .sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0))
      .slice(-this.#keep);
    this.#cursor = end.number + 1n;
    await this.#save(options);
  }

  /** Forgets every block after `ancestor` and moves the cursor to the block after it. */
  async rewind(
    ancestor: BlockMark | undefined,
    start: bigint,
    options: { signal?: AbortSignal | undefined } = {},
  ) {
    this.#marks = ancestor ? this.#marks.filter((mark) => mark.number <= ancestor.number) : [];
    this.#cursor = ancestor ? ancestor.number + 1n : start;
    await this.#save(options);
  }

  async #save(options: { signal?: AbortSignal | undefined }): Promise<void> {
    const batch = this.#datastore.batch();
    batch.put(CURSOR, encoder.encode(String(this.#cursor)));
    batch.put(
      BLOCKS,
      encoder.encode(JSON.stringify(this.#marks.map((mark) => [String(mark.number), mark.hash]))),
    );
    await batch.commit(options.signal ? { signal: options.signal } : {});
  }

  async #read<T = bigint>(
    key: Key,
    options: { signal?: AbortSignal | undefined },
    parse: (text: string) => T = (text) => BigInt(text) as T,
  ): Promise<T | undefined> {
    try {
      return parse(
        decoder.decode(await this.#datastore.get(key, options.signal ? { signal: options.signal } : {})),
      );
    } catch (error) {
      if ((error as Error).name === "NotFoundError") return undefined;
      throw error;
    }
  }
}
