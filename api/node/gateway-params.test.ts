import { describe, expect, test } from "vitest";
import {
  carAccept,
  carQueryString,
  formatEntityBytes,
  parseEntityBytes,
  resolveEntityBytes,
} from "./gateway-params.ts";

describe("entity-bytes", () => {
  test("parses from:to, negatives and *, and writes it back", () => {
    for (const text of ["0:0", "0:*", "10:20", "-1:*", "-1024:*", "499:-1000", "-20:-10", "5:-1"]) {
      const parsed = parseEntityBytes(text);
      expect(parsed, text).toBeDefined();
      expect(formatEntityBytes(parsed as NonNullable<typeof parsed>)).toBe(text);
    }
  });

  test("refuses what is not two integers, reversed ranges, -0 and numbers past 2^53", () => {
    for (const text of [
      "",
      ":",
      "5",
      "5:",
      ":5",
      "*:5",
      "a:b",
      "1.5:2",
      "+1:2",
      "01:2",
      "1:2:3",
      "10:5",
      "-5:-10",
      "-0:5",
      "9007199254740993:*",
    ]) {
      expect(parseEntityBytes(text), text).toBeUndefined();
    }
  });

  test("resolves against a file's size: clamped, negatives from the end, outside or empty", () => {
    expect(resolveEntityBytes({ from: 0, to: "*" }, 1000)).toEqual({ from: 0, to: 1000, outside: false });
    expect(resolveEntityBytes({ from: 10, to: 19 }, 1000)).toEqual({ from: 10, to: 20, outside: false });
    expect(resolveEntityBytes({ from: -24, to: "*" }, 1000)).toEqual({ from: 976, to: 1000, outside: false });
    expect(resolveEntityBytes({ from: 499, to: -100 }, 1000)).toEqual({ from: 499, to: 901, outside: false });
    expect(resolveEntityBytes({ from: 900, to: 5000 }, 1000)).toEqual({
      from: 900,
      to: 1000,
      outside: false,
    });
    expect(resolveEntityBytes({ from: -5000, to: 9 }, 1000)).toEqual({ from: 0, to: 10, outside: false });
    expect(resolveEntityBytes({ from: 600, to: -500 }, 1000)).toEqual({ from: 600, to: 600, outside: false });
    expect(resolveEntityBytes({ from: 1000, to: "*" }, 1000).outside).toBe(true);
    expect(resolveEntityBytes({ from: -3000, to: -2000 }, 1000).outside).toBe(true);
    expect(resolveEntityBytes({ from: 0, to: "*" }, 0).outside).toBe(true);
  });

  test("a CAR request's query string and Accept header", () => {
    expect(carQueryString({ dagScope: "entity", entityBytes: { from: 5, to: "*" }, dups: true })).toBe(
      "format=car&dag-scope=entity&entity-bytes=5:*&car-version=1&car-order=dfs&car-dups=y",
    );
    expect(carQueryString()).toBe("format=car&car-version=1&car-order=dfs");
    expect(carAccept({ dups: false })).toBe("application/vnd.ipld.car; version=1; order=dfs; dups=n");
  });
});
