/**
 * The span of blocks asked for in one eth_getLogs, adapting to what the RPC accepts: halved when
 * a request fails (too many results, range too large, a timeout), grown again after requests
 * that succeed with room to spare.
 */
export class LogRanges {
  readonly #min: number;
  readonly #max: number;
  readonly #roomy: number;
  #span: number;

  constructor(options: { initial: number; max: number; roomyLogs?: number }) {
    this.#max = Math.max(1, options.max);
    this.#min = 1;
    this.#span = Math.min(this.#max, Math.max(this.#min, options.initial));
    this.#roomy = options.roomyLogs ?? 5000;
  }

  get span(): number {
    return this.#span;
  }

  /** The range to ask for next, from `from`, never past `to`. */
  next(from: bigint, to: bigint): { from: bigint; to: bigint } {
    const end = from + BigInt(this.#span) - 1n;
    return { from, to: end < to ? end : to };
  }

  /** A request over `blocks` blocks failed: ask for half as many. Returns false at one block. */
  failed(blocks: number): boolean {
    if (blocks <= this.#min) return false;
    this.#span = Math.max(this.#min, Math.floor(Math.min(this.#span, blocks) / 2));
    return true;
  }

  /** A request over `blocks` blocks returned `logs` logs. */
  succeeded(blocks: number, logs: number): void {
    if (blocks >= this.#span && logs < this.#roomy) this.#span = Math.min(this.#max, this.#span * 2);
  }
}
