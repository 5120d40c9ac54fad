import type { Datastore } from "interface-datastore";
import { Key } from "interface-datastore";
import type { Hex } from "viem";
import { ReplayedRequestError } from "../errors.ts";

const PREFIX = "/strata/nonces";

/** Nonces of signed requests already honoured, kept until they expire: no request runs twice. */
export class UsedNonces {
  readonly #datastore: Datastore;

  constructor(datastore: Datastore) {
    this.#datastore = datastore;
  }

  /** Marks `nonce` used until `expiry` (unix seconds); throws if it was used already. */
  async use(nonce: Hex, expiry: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    const key = new Key(`${PREFIX}/${nonce.toLowerCase()}`);
    if (await this.#datastore.has(key, options)) throw new ReplayedRequestError();
    await this.#datastore.put(key, new TextEncoder().encode(String(expiry)), options);
  }

  /** Forgets nonces whose requests expired before `now` (unix seconds). */
  async prune(now: number, options: { signal?: AbortSignal | undefined } = {}): Promise<number> {
    let removed = 0;
    for await (const { key, value } of this.#datastore.query(
      { prefix: `${PREFIX}/` },
      options.signal ? { signal: options.signal } : {},
    )) {
      if (Number(new TextDecoder().decode(value)) < now) {
        await this.#datastore.delete(key, options.signal ? { signal: options.signal } : {});
        removed += 1;
      }
    }
    return removed;
  }
}
