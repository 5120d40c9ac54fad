import { describe, expect, test } from "vitest";
import { UsageError } from "./cli-error.ts";
import { unitsOf } from "./token-units.ts";

describe("token units", () => {
  const strata = unitsOf(18, "STRATA");
  const usdc = unitsOf(6, "USDC");

  test("amounts are decimal tokens in the token's decimals", () => {
    expect(strata.parse("200", "amount")).toBe(200n * 10n ** 18n);
    expect(strata.parse("12.5", "amount")).toBe(125n * 10n ** 17n);
    expect(usdc.parse("0.000001", "amount")).toBe(1n);
    expect(strata.format(15n * 10n ** 17n)).toBe("1.5 STRATA");
    expect(strata.decimal(15n * 10n ** 17n)).toBe("1.5");
  });

  test("anything else is a usage error naming the option", () => {
    for (const bad of ["", "-1", "1e3", "0x10", "abc", "0"])
      expect(() => strata.parse(bad, "amount")).toThrow(/--amount takes a positive token amount/);
    expect(() => usdc.parse("0.0000001", "amount")).toThrow(UsageError);
    expect(strata.parse("0", "supply", { allowZero: true })).toBe(0n);
  });

  test("prices are tokens per GB (10^9 bytes) per epoch, exact in base units per byte", () => {
    expect(strata.parsePrice("0.001")).toBe(10n ** 6n);
    expect(strata.formatPrice(10n ** 6n)).toBe("0.001 STRATA per GB per epoch");
    expect(strata.parsePrice(strata.formatPrice(1234n).split(" ")[0])).toBe(1234n);
    expect(() => strata.parsePrice("0.0000000015")).toThrow(/nearest prices are 0.000000001 and 0.000000002/);
    expect(() => strata.parsePrice("0.0000000001")).toThrow(/below the smallest price, 0.000000001 STRATA/);
    expect(() => strata.parsePrice("100000000000")).toThrow(/above the largest price/);
  });
});
