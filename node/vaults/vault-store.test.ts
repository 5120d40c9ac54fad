import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { chunkBlock } from "#protocol";
import { vaultPath } from "./vault-files.ts";
import { VaultStore } from "./vault-store.ts";

const cleanups: (() => Promise<void>)[] = [];

async function scratchDir(name: string) {
  const path = await mkdtemp(join(tmpdir(), `strata-${name}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function store() {
  const dir = await scratchDir("vault-store");
  const opened = await VaultStore.open(dir.path);
  cleanups.push(async () => {
    opened.close();
    await dir.cleanup();
  });
  return opened;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("vault store", () => {
  test("files share chunks; a chunk is an orphan only when no file refers to it", async () => {
    const s = await store();
    const a = await chunkBlock(bytes("shared"));
    const b = await chunkBlock(bytes("own"));
    for (const block of [a, b]) await s.writeChunk(block.cid, block.bytes);
    expect(s.putFile({ path: "one", size: 9, type: "t", modified: 1, chunks: [a.cid, b.cid] })).toEqual([]);
    expect(s.putFile({ path: "two", size: 6, type: "t", modified: 1, chunks: [a.cid] })).toEqual([]);
    // replacing "one" with only the shared chunk frees the other
    expect(s.putFile({ path: "one", size: 6, type: "t", modified: 2, chunks: [a.cid] }).map(String)).toEqual([
      String(b.cid),
    ]);
    expect(s.deleteFile("one")).toEqual({ deleted: true, orphans: [] });
    const last = s.deleteFile("two");
    expect(last.orphans.map(String)).toEqual([String(a.cid)]);
    expect(s.deleteFile("two")).toEqual({ deleted: false, orphans: [] });
    await s.removeChunks([a.cid, b.cid]);
    expect((await readdir(`${s.dir}/chunks`)).length).toBe(0);
  });

  test("lists by prefix in path order, a page after a path", async () => {
    const s = await store();
    for (const path of ["b/2", "a/1", "b/1", "c"])
      s.putFile({ path, size: 0, type: "t", modified: 0, chunks: [] });
    expect(s.files({ prefix: "b/" }).map((f) => f.path)).toEqual(["b/1", "b/2"]);
    expect(s.files({ after: "b/1", limit: 2 }).map((f) => f.path)).toEqual(["b/2", "c"]);
    expect(s.fileStats()).toEqual({ files: 4, bytes: 0 });
  });

  test("keys are granted, read back and revoked once", async () => {
    const s = await store();
    s.putKey("0xABC0000000000000000000000000000000000000", ["files:read"], 99);
    expect(s.key("0xabc0000000000000000000000000000000000000")).toMatchObject({
      scopes: ["files:read"],
      revoked: false,
    });
    expect(s.revokeKey("0xabc0000000000000000000000000000000000000")).toBe(true);
    expect(s.revokeKey("0xabc0000000000000000000000000000000000000")).toBe(false);
  });

  test("vault paths: no empty, dot or dot-dot segments, at most 1024 bytes", () => {
    expect(vaultPath("/a/b.txt")).toBe("a/b.txt");
    for (const bad of ["", "a//b", "a/./b", "a/../b", "x".repeat(1025), "a\0b"])
      expect(vaultPath(bad)).toBe("");
  });
});
