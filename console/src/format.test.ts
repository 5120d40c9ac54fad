import { describe, expect, it } from "vitest";
import { ago, bytes, integer, ms, percent, short, tiers, tokens } from "./format.ts";

describe("the console's number formats", () => {
  it("bytes, tokens, prices and shares read as people write them", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(5 << 20)).toBe("5.0 MiB");
    expect(bytes("8589934592")).toBe("8.0 GiB");
    expect(tokens(10n ** 18n * 1234n + 5n * 10n ** 17n)).toBe("1,234.5");
    expect(tokens("10000000000000000000")).toBe("10");
    expect(tokens(1n)).toBe("0");
    expect(integer("1000")).toBe("1,000");
    expect(percent(0.973)).toBe("97.3 %");
    expect(ms(3.21)).toBe("3.2 ms");
    expect(ms(152.4)).toBe("152 ms");
    expect(ms(null)).toBe("–");
  });

  it("addresses, tiers and times", () => {
    expect(short("0x1234567890abcdef1234567890abcdef12345678")).toBe("0x1234…5678");
    expect(short("0x1234")).toBe("0x1234");
    expect(tiers(3)).toBe("hot, cold");
    expect(tiers(2)).toBe("cold");
    expect(tiers(0)).toBe("none");
    expect(ago(null)).toBe("never");
    expect(ago(1_000, 13_000)).toBe("12 s ago");
    expect(ago(0 + 1, 1 + 5 * 60_000)).toBe("5 min ago");
    expect(ago(1, 1 + 7_200_000)).toBe("2 h ago");
  });
});
