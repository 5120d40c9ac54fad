import type { Logger } from "./logger.ts";

/**
 * Runs `tick` every `intervalMs` (after the previous tick finished) until stopped; a failing tick
 * is logged and the loop goes on. `stop()` waits for the tick under way.
 */
export class Ticker {
  readonly #name: string;
  readonly #intervalMs: number;
  readonly #tick: (signal: AbortSignal) => Promise<void>;
  readonly #logger: Logger;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    name: string,
    intervalMs: number,
    tick: (signal: AbortSignal) => Promise<void>,
    logger: Logger,
  ) {
    this.#name = name;
    this.#intervalMs = intervalMs;
    this.#tick = tick;
    this.#logger = logger;
  }

  start(): void {
    if (this.#controller) return;
    this.#controller = new AbortController();
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#controller?.abort();
    this.#controller = undefined;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delay: number): void {
    const controller = this.#controller;
    if (!controller) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#tick(controller.signal)
        .catch((error) => {
          if (!controller.signal.aborted) this.#logger.warn({ err: error, loop: this.#name }, "tick failed");
        })
        .finally(() => {
          this.#running = undefined;
          if (this.#controller === controller) this.#schedule(this.#intervalMs);
        });
    }, delay);
  }
}
