import { createNodeClient, type NodeClient } from "../../api/node/index.ts";
import type { ChainClient } from "../chain/chain-client.ts";

/** Reads exact-size pieces off a stream of chunks of any size. */
export class PieceReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #buffered: Uint8Array[] = [];
  #bufferedBytes = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** The next `length` bytes; throws if the stream ends first. */
  async read(length: number): Promise<Uint8Array> {
    while (this.#bufferedBytes < length) {
      const next = await this.#source.next();
      if (next.done) throw new Error(`stream ended ${length - this.#bufferedBytes} bytes short`);
      this.#buffered.push(next.value);
      this.#bufferedBytes += next.value.length;
    }
    const first = this.#buffered[0] as Uint8Array;
    let piece: Uint8Array;
    if (first.length >= length) {
      piece = first.subarray(0, length);
      if (first.length === length) this.#buffered.shift();
      else this.#buffered[0] = first.subarray(length);
    } else {
      piece = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const head = this.#buffered[0] as Uint8Array;
        const take = Math.min(head.length, length - filled);
        piece.set(head.subarray(0, take), filled);
        filled += take;
        if (take === head.length) this.#buffered.shift();
        else this.#buffered[0] = head.subarray(take);
      }
    }
    this.#bufferedBytes -= length;
    return piece;
  }

  async close(): Promise<void> {
    await this.#source.return?.();
  }
}

/** HTTP endpoints of other nodes, from the registry, remembered once read, and their API clients. */
export class PeerEndpoints {
  readonly #chain: ChainClient;
  readonly #known = new Map<number, string>();

  constructor(chain: ChainClient) {
    this.#chain = chain;
  }

  async of(nodeId: number): Promise<string> {
    let endpoint = this.#known.get(nodeId);
    if (!endpoint) {
      const node = await this.#chain.read(() => this.#chain.registry.read.getNode([nodeId]));
      endpoint = node.endpoint.replace(/\/+$/, "");
      this.#known.set(nodeId, endpoint);
    }
    return endpoint;
  }

  /** The API client of node `nodeId` (its refusals are ServiceErrors naming it). */
  async client(nodeId: number): Promise<NodeClient> {
    return createNodeClient({ baseUrl: await this.of(nodeId), nodeId });
  }
}
