/**
 * A one-line progress bar on stderr, redrawn at most every 100 ms; silent when stderr is not a
 * terminal (scripts, CI, --json).
 */
export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #last = 0;
  #label = "";

  constructor(options: { enabled: boolean; out?: NodeJS.WriteStream }) {
    this.#out = options.out ?? process.stderr;
    this.#enabled = options.enabled && this.#out.isTTY === true;
  }

  update(label: string, done: number, total: number): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (label === this.#label && now - this.#last < 100 && done < total) return;
    this.#last = now;
    this.#label = label;
    const width = 28;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(share * width);
    const rate = done / Math.max(0.001, (now - this.#started) / 1000);
    const amount = total > 0 ? `${mib(done)}/${mib(total)} MiB` : `${mib(done)} MiB`;
    const bar =
      total > 0
        ? `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`
        : "";
    this.#out.write(`\r\x1b[2K${label.padEnd(12)} ${bar} ${amount}  ${(rate / 1e6).toFixed(1)} MB/s`);
  }

  /** A step without a byte count ("registering on chain"). */
  step(label: string): void {
    if (!this.#enabled) return;
    this.#label = label;
    this.#out.write(`\r\x1b[2K${label}…`);
  }

  done(): void {
    if (this.#enabled) this.#out.write("\r\x1b[2K");
  }
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
