import { describe, expect, test } from "vitest";
import type { BlobRecord } from "../storage/blob-records.ts";
import { judgeHolding } from "./holding-verdict.ts";
import type { Registration } from "./registrations.ts";

const record = {
  blobId: "0x01",
  holder: 1,
  state: "certified",
  endPeriod: 20,
  certifyDeadline: 1_000,
} as unknown as BlobRecord;
const registration = (changes: Partial<Registration> = {}) =>
  ({
    status: "certified",
    holders: [{ nodeId: 7 }, { nodeId: 9 }, { nodeId: 11 }],
    attested: 0b111,
    dropped: 0,
    endPeriod: 20,
    certifyDeadline: 1_000,
    ...changes,
  }) as Registration;
const at = { nodeId: 9, period: 5, now: 2_000 };

describe("judgeHolding", () => {
  test("a copy this node was dropped from is kept, marked, until every slot is live again", () => {
    expect(judgeHolding(record, registration({ dropped: 0b010 }), at)).toEqual({
      keep: { state: "certified", endPeriod: 20, dropped: true },
    });
    // the slot went to node 12, which has not attested yet
    const reassigned = { holders: [{ nodeId: 7 }, { nodeId: 12 }, { nodeId: 11 }] } as Partial<Registration>;
    expect(judgeHolding(record, registration({ ...reassigned, attested: 0b101 }), at)).toMatchObject({
      keep: { dropped: true },
    });
    expect(judgeHolding(record, registration({ ...reassigned, attested: 0b111 }), at)).toHaveProperty(
      "release",
    );
  });

  test("only the end of the blob frees a live copy", () => {
    expect(judgeHolding(record, registration(), at)).toEqual({
      keep: { state: "certified", endPeriod: 20, dropped: undefined },
    });
    expect(judgeHolding(record, undefined, at)).toEqual({ release: "registration gone" });
    expect(judgeHolding(record, registration({ status: "deleted" }), at)).toEqual({
      release: "blob deleted",
    });
    expect(judgeHolding(record, registration(), { ...at, period: 20 })).toEqual({ release: "term ended" });
    const pending = { ...record, state: "pending" } as unknown as BlobRecord;
    expect(judgeHolding(pending, registration({ status: "registered" }), at)).toEqual({
      release: "never certified",
    });
    expect(judgeHolding(pending, registration({ status: "registered" }), { ...at, now: 999 })).toHaveProperty(
      "keep",
    );
  });
});
