import { describe, expect, test } from "vitest";
import { RangeNotSatisfiableError } from "../errors.ts";
import { parseRange } from "./range.ts";

describe("parseRange", () => {
  test("single ranges in every form", () => {
    expect(parseRange("bytes=0-99", 1000)).toEqual({ offset: 0, length: 100 });
    expect(parseRange("bytes=990-", 1000)).toEqual({ offset: 990, length: 10 });
    expect(parseRange("bytes=-10", 1000)).toEqual({ offset: 990, length: 10 });
    expect(parseRange("bytes=-5000", 1000)).toEqual({ offset: 0, length: 1000 });
    expect(parseRange("bytes=500-5000", 1000)).toEqual({ offset: 500, length: 500 });
    expect(parseRange("bytes=999-999", 1000)).toEqual({ offset: 999, length: 1 });
  });

  test("several ranges, other units, reversed, empty and out-of-bounds ranges are refused", () => {
    for (const header of [
      "bytes=0-1,5-6",
      "items=0-1",
      "bytes=5-1",
      "bytes=-",
      "bytes=1000-",
      "bytes=-0",
      "bytes=a-b",
      "0-10",
    ]) {
      expect(() => parseRange(header, 1000), header).toThrow(RangeNotSatisfiableError);
    }
  });
});
