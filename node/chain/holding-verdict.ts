import type { BlobRecord } from "../storage/blob-records.ts";
import type { Registration } from "./registrations.ts";

/** Where the chain is: this node, the current period, and the head block's time (Unix seconds). */
export interface ChainMoment {
  nodeId: number;
  period: number;
  now: number;
}

/**
 * What the node does with a copy it holds, given the blob's registration now: let it go (with
 * the reason), or keep it, with the record brought in line with the chain.
 */
export type Verdict = { release: string } | { keep: Partial<BlobRecord> };

/** Whether every holder slot of `registration` is live: attested and not dropped. */
export function fullyLive(registration: Registration): boolean {
  const all = (1 << registration.holders.length) - 1;
  return registration.dropped === 0 && (registration.attested & all) === all;
}

/**
 * The chain's word on a held copy. Only the end of the blob frees it: no registration (never
 * made, or reorged away), deleted, reclaimed or settled, a certification deadline passed, a term
 * ended. A copy this node was dropped from (its slot dropped, or given to another node) is kept
 * and served until every holder slot is live again.
 */
export function judgeHolding(
  record: BlobRecord,
  registration: Registration | undefined,
  at: ChainMoment,
): Verdict {
  if (!registration) return { release: "registration gone" };
  const verdict = judgeRegistration(record, registration, at);
  // a copy kept past its term until unpinned stays as it is
  return "keep" in verdict && record.state === "ended" ? { keep: {} } : verdict;
}

function judgeRegistration(record: BlobRecord, registration: Registration, at: ChainMoment): Verdict {
  switch (registration.status) {
    case "registered":
      if (at.now > registration.certifyDeadline) return { release: "never certified" };
      return { keep: { state: "pending", endPeriod: undefined, dropped: undefined } };
    case "certified": {
      if (at.period >= registration.endPeriod) return { release: "term ended" };
      const mine = registration.holders[record.holder]?.nodeId === at.nodeId;
      const dropped = !mine || (registration.dropped & (1 << record.holder)) !== 0;
      if (dropped && fullyLive(registration)) return { release: "the blob's holders are all live again" };
      return {
        keep: { state: "certified", endPeriod: registration.endPeriod, dropped: dropped || undefined },
      };
    }
    default:
      return { release: `blob ${registration.status}` };
  }
}

/** Whether `changes` would change anything in `record`. */
export function changesRecord(record: BlobRecord, changes: Partial<BlobRecord>): boolean {
  return Object.entries(changes).some(
    ([key, value]) => (record as unknown as Record<string, unknown>)[key] !== value,
  );
}
