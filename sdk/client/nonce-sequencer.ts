import { BaseError } from "viem";

/** Send failures that mean the nonce was wrong (taken, or behind the chain's), not the transaction. */
const NONCE_ERROR =
  /nonce too low|lower than the current nonce|already known|nonce has already been used|replacement transaction underpriced|invalid nonce/i;

/**
 * Send failures that mean the chain is behind this sequence: another chain at the same id and
 * address (a devnet restarted in the same process), or transactions the chain forgot.
 */
const NONCE_AHEAD = /nonce too high|higher than the next one expected/i;

/** Whether a failed send was refused for its nonce (worth a resynchronised retry). */
export function isNonceError(error: unknown, pattern: RegExp = NONCE_ERROR): boolean {
  const messages: string[] = [];
  if (error instanceof BaseError) {
    error.walk((e) => {
      messages.push((e as Error).message);
      return false;
    });
  }
  for (let e: unknown = error; e && messages.length < 16; e = (e as { cause?: unknown }).cause) {
    messages.push(String((e as Error).message ?? e));
  }
  return messages.some((message) => pattern.test(message));
}

/**
 * The nonces of one account on one chain. The first send asks the chain for the account's
 * `pending` transaction count; later ones count up locally, so parallel sends get distinct nonces.
 * A small lock covers picking a nonce and handing the transaction to the RPC (never waiting for
 * its receipt). A send refused for its nonce resynchronises from the chain and is retried, up to
 * `attempts` times; any other failure resynchronises and is thrown.
 */
export class NonceSequencer {
  #next: number | undefined;
  #lock: Promise<unknown> = Promise.resolve();

  /** Runs `send` with the account's next nonce; `pending` reads the chain's pending count. */
  send<T>(
    pending: () => Promise<number>,
    send: (nonce: number) => Promise<T>,
    options: { attempts?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const run = this.#lock.then(() => this.#sendLocked(pending, send, options.attempts ?? 4, options.signal));
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** Forgets the local count: the next send asks the chain again. */
  reset(): void {
    this.#next = undefined;
  }

  async #sendLocked<T>(
    pending: () => Promise<number>,
    send: (nonce: number) => Promise<T>,
    attempts: number,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      signal?.throwIfAborted();
      this.#next ??= await pending();
      const nonce = this.#next;
      try {
        const result = await send(nonce);
        this.#next = nonce + 1;
        return result;
      } catch (error) {
        const chain = await pending().catch(() => undefined);
        if (isNonceError(error, NONCE_AHEAD) && chain !== undefined) {
          // the chain is behind this sequence: follow the chain
          this.#next = chain;
          if (attempt >= attempts) throw error;
          continue;
        }
        if (!isNonceError(error)) {
          // the nonce may not have been used: start again from what the chain has
          this.#next = chain;
          throw error;
        }
        // taken: the chain's count, and never this nonce again
        this.#next = Math.max(chain ?? 0, nonce + 1);
        if (attempt >= attempts) throw error;
      }
    }
  }
}

/**
 * Every account's sequencer, by chain id and address. One is shared by every client in the
 * process (`sharedNonces`), so clients that sign as the same account never race for a nonce.
 */
export class NonceSequencers {
  readonly #byAccount = new Map<string, NonceSequencer>();

  for(chainId: number, address: string): NonceSequencer {
    const key = `${chainId}:${address.toLowerCase()}`;
    let sequencer = this.#byAccount.get(key);
    if (!sequencer) {
      sequencer = new NonceSequencer();
      this.#byAccount.set(key, sequencer);
    }
    return sequencer;
  }
}

/** The process-wide sequencers StrataClient uses unless given its own. */
export const sharedNonces = new NonceSequencers();
