import { type BlobRecord, type BlobRecords, storedBytes } from "./blob-records.ts";
import type { ByteBudget } from "./byte-budget.ts";
import type { NodeStores } from "./open-stores.ts";

/** Writes the record of data already durable (the commit point), durably, and counts it if new. */
export async function commitRecord(
  deps: {
    records: Pick<BlobRecords, "put">;
    stores: Pick<NodeStores, "flush">;
    budget: Pick<ByteBudget, "hold">;
  },
  record: BlobRecord,
  isNew: boolean,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await deps.records.put(record, options);
  await deps.stores.flush();
  if (isNew) deps.budget.hold(storedBytes(record));
}
