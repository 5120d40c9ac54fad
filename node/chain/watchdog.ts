import type { Logger } from "../../service/logger.ts";
import { Ticker } from "../../service/ticker.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { ChainClient } from "./chain-client.ts";

/** Reverts that mean "nothing to report": proven, not challenged, dropped, or someone was first. */
const NOTHING_TO_REPORT = [
  "ProofsPeriodProven",
  "ProofsNotChallenged",
  "ProofsNodeDropped",
  "ProofsAlreadyReported",
  "ProofsReportWindowClosed",
];

/**
 * Watches the other nodes: once a period has ended, reports every node that owed a proof for it
 * and did not submit one (the report window is the next period only). The contract warns with
 * `ProofMissed`, slashes the node and pays this node the reporter's share. Each candidate is
 * simulated first, so a miss another watchdog reported already costs no transaction.
 */
export class Watchdog {
  readonly #chain: ChainClient;
  readonly #metrics: NodeMetrics;
  readonly #logger: Logger;
  readonly #ticker: Ticker;
  #checked = -1;

  constructor(deps: { chain: ChainClient; metrics: NodeMetrics; logger: Logger; pollMs: number }) {
    this.#chain = deps.chain;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger.child({ component: "watchdog" });
    this.#ticker = new Ticker("watchdog", deps.pollMs, (signal) => this.tick(signal), this.#logger);
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /** One pass: report the misses of the period that just ended, once. */
  async tick(signal?: AbortSignal): Promise<void> {
    const { proofs, registry } = this.#chain;
    const period = Number(await proofs.read.currentPeriod()) - 1;
    if (period < 0 || period <= this.#checked) return;
    const count = Number(await registry.read.nodeCount());
    for (let nodeId = 1; nodeId <= count; nodeId++) {
      signal?.throwIfAborted();
      if (nodeId === this.#chain.nodeId) continue;
      if (await proofs.read.isProven([nodeId, period])) continue;
      try {
        await proofs.simulate.reportMissedProof([nodeId, period], { account: this.#chain.account });
      } catch (error) {
        if (NOTHING_TO_REPORT.some((name) => String(error).includes(name))) continue;
        throw error;
      }
      await this.#chain.send(
        "reportMissedProof",
        async () => {
          const gas = await this.#chain.gasFor((o) =>
            proofs.estimateGas.reportMissedProof([nodeId, period], o),
          );
          return proofs.write.reportMissedProof([nodeId, period], { gas });
        },
        {
          signal,
        },
      );
      this.#metrics.missesReported += 1;
      this.#logger.warn({ nodeId, period }, "reported a missed proof");
    }
    this.#checked = period;
  }
}
