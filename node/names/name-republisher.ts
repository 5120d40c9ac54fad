import { readIpnsRecord } from "#protocol";
import { createIndexerClient } from "../../api/indexer/index.ts";
import type { Logger } from "../../service/logger.ts";
import { Ticker } from "../../service/ticker.ts";
import type { NameRecords } from "./name-records.ts";

/** What a republish pass did. */
export interface RepublishStats {
  republished: number;
  dropped: number;
  failed: number;
}

/**
 * Keeps the IPNS copies of anchored names alive: every `periodMs` each kept record is checked
 * against the chain again (a record the chain moved past, reorged away or whose end of life passed
 * is dropped) and handed to the delegated routers configured (`PUT /routing/v1/ipns/{name}`), so
 * an indexer that lost its records gets them back. The records are the owners' signed bytes: a
 * node republishes, it never re-signs.
 */
export class NameRepublisher {
  readonly stats: RepublishStats = { republished: 0, dropped: 0, failed: 0 };
  readonly #records: NameRecords;
  readonly #routers: ReturnType<typeof createIndexerClient>[];
  readonly #logger: Logger;
  readonly #ticker: Ticker;

  constructor(options: { records: NameRecords; routers: string[]; periodMs: number; logger: Logger }) {
    this.#records = options.records;
    this.#routers = options.routers.map((baseUrl) => createIndexerClient({ baseUrl }));
    this.#logger = options.logger.child({ component: "names" });
    this.#ticker = new Ticker(
      "republish names",
      options.periodMs,
      (signal) => this.pass(signal),
      this.#logger,
    );
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /** One pass over every kept record. */
  async pass(signal?: AbortSignal): Promise<void> {
    for await (const { ipnsName, nameId, bytes } of this.#records.all({ signal })) {
      const entry = await readIpnsRecord(ipnsName, bytes).catch(() => undefined);
      const verdict = entry ? await this.#records.anchoring(nameId, entry, { signal }) : "expired";
      if (verdict !== "anchored") {
        await this.#records.drop(ipnsName, { signal });
        this.stats.dropped += 1;
        this.#logger.info({ ipns_name: ipnsName, name_id: nameId, reason: verdict }, "name record dropped");
        continue;
      }
      for (const router of this.#routers) {
        try {
          await router.names.putIpnsRecord(ipnsName, bytes, { signal });
          this.stats.republished += 1;
        } catch (error) {
          signal?.throwIfAborted();
          this.stats.failed += 1;
          this.#logger.warn({ ipns_name: ipnsName, router: router.url, err: error }, "republish failed");
        }
      }
    }
  }
}
