import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticFile } from "./static-files.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "static-"));
  await mkdir(join(dir, "site", "assets"), { recursive: true });
  await writeFile(join(dir, "site", "index.html"), "<!doctype html>");
  await writeFile(join(dir, "site", "assets", "index-AbCdEf12.js"), "export {}");
  await writeFile(join(dir, "secret.txt"), "no");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("staticFile", () => {
  it("serves the index for the root, assets with their type and a long cache", async () => {
    const site = join(dir, "site");
    const index = await staticFile(site, "");
    expect(index?.type).toBe("text/html; charset=utf-8");
    expect(index?.cacheControl).toBe("no-cache");
    expect(String(index?.body)).toBe("<!doctype html>");
    const asset = await staticFile(site, "assets/index-AbCdEf12.js?v=1");
    expect(asset?.type).toBe("text/javascript; charset=utf-8");
    expect(asset?.cacheControl).toContain("immutable");
  });

  it("refuses what leaves the folder, and what is not there", async () => {
    const site = join(dir, "site");
    expect(await staticFile(site, "../secret.txt")).toBeUndefined();
    expect(await staticFile(site, "%2e%2e/secret.txt")).toBeUndefined();
    expect(await staticFile(site, "%E0%A4%A")).toBeUndefined();
    expect(await staticFile(site, "missing.js")).toBeUndefined();
    expect(await staticFile(join(dir, "none"), "")).toBeUndefined();
  });
});
