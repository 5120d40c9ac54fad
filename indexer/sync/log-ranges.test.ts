import { describe, expect, it } from "vitest";
import { LogRanges } from "./log-ranges.ts";

describe("LogRanges", () => {
  it("asks for its span, never past the target", () => {
    const ranges = new LogRanges({ initial: 100, max: 1000 });
    expect(ranges.next(10n, 5000n)).toEqual({ from: 10n, to: 109n });
    expect(ranges.next(10n, 50n)).toEqual({ from: 10n, to: 50n });
  });

  it("halves after a refusal, down to one block, and says when it cannot go lower", () => {
    const ranges = new LogRanges({ initial: 8, max: 1000 });
    expect(ranges.failed(8)).toBe(true);
    expect(ranges.span).toBe(4);
    expect(ranges.failed(4)).toBe(true);
    expect(ranges.failed(2)).toBe(true);
    expect(ranges.span).toBe(1);
    expect(ranges.failed(1)).toBe(false);
    expect(ranges.span).toBe(1);
  });

  it("a refusal of a range shorter than the span (the last one) halves from that range", () => {
    const ranges = new LogRanges({ initial: 1000, max: 1000 });
    expect(ranges.failed(10)).toBe(true);
    expect(ranges.span).toBe(5);
  });

  it("doubles after full ranges with room to spare, up to the maximum; not after crowded ones", () => {
    const ranges = new LogRanges({ initial: 100, max: 300, roomyLogs: 50 });
    ranges.succeeded(100, 10);
    expect(ranges.span).toBe(200);
    ranges.succeeded(200, 60);
    expect(ranges.span).toBe(200);
    ranges.succeeded(50, 0); // a short (last) range says nothing about the span
    expect(ranges.span).toBe(200);
    ranges.succeeded(200, 0);
    expect(ranges.span).toBe(300);
  });
});
