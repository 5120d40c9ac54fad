import type { Logger } from "./logger.ts";

/**
 * The one way a service stops what it started: each part registers how it stops as it starts;
 * `stop()` runs them once, the last started first, logging (not rethrowing) what fails so the
 * rest still stop. A second or concurrent `stop()` gets the same promise.
 */
export class Shutdown {
  readonly #logger: Pick<Logger, "error">;
  readonly #steps: { name: string; stop: () => unknown }[] = [];
  #stopped: Promise<void> | undefined;

  constructor(logger: Pick<Logger, "error">) {
    this.#logger = logger;
  }

  /** Adds a step, run before every step registered earlier. After `stop()` it runs at once. */
  register(name: string, stop: () => unknown): void {
    if (this.#stopped) {
      void this.#run({ name, stop });
      return;
    }
    this.#steps.push({ name, stop });
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      for (const step of this.#steps.splice(0).reverse()) await this.#run(step);
    })();
    return this.#stopped;
  }

  async #run(step: { name: string; stop: () => unknown }): Promise<void> {
    try {
      await step.stop();
    } catch (error) {
      this.#logger.error({ err: error, step: step.name }, "error while stopping");
    }
  }
}
