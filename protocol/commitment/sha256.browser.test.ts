import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { latin1 as latin1Browser } from "../collections/latin1.browser.ts";
import { latin1 } from "../collections/latin1.ts";
import { sha256 as sha256Browser, sha256Ready } from "./sha256.browser.ts";
import { sha256 } from "./sha256.ts";

const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
const reference = (data: Uint8Array) => createHash("sha256").update(data).digest();

describe("the browser build's SHA-256", () => {
  test("gives the digests of Node's, before its WebAssembly is loaded (JavaScript) and after", async () => {
    const inputs = [0, 1, 55, 56, 64, 65, 257, 1000, 70_000].map((length, i) => bytes(length, i));
    const before = inputs.map((data) => sha256Browser(data));
    await sha256Ready();
    const after = inputs.map((data) => sha256Browser(data));
    inputs.forEach((data, i) => {
      expect(Buffer.from(before[i] as Uint8Array)).toEqual(reference(data));
      expect(Buffer.from(after[i] as Uint8Array)).toEqual(reference(data));
      expect(Buffer.from(sha256(data))).toEqual(reference(data));
    });
  });

  test("hashes a view of a larger buffer by its own bytes", async () => {
    await sha256Ready();
    const whole = bytes(1000, 7);
    const view = whole.subarray(100, 357);
    expect(Buffer.from(sha256Browser(view))).toEqual(reference(view.slice()));
  });
});

test("the browser build's latin1 decodes as Buffer's does", () => {
  const data = bytes(20_000, 3);
  expect(latin1Browser(data)).toBe(latin1(data));
  expect(latin1Browser(data, 17, 19_001)).toBe(latin1(data, 17, 19_001));
});
