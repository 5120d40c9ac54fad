import { MemoryDatastore } from "datastore-core/memory";
import { type Datastore, Key } from "interface-datastore";
import { describe, expect, test } from "vitest";
import { MountedDatastore } from "./mounted-datastore.ts";

const all = async <T>(source: AsyncIterable<T> | Iterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
};
const bytes = (text: string) => new TextEncoder().encode(text);
const keysOf = async (store: Datastore, prefix?: string) =>
  (await all(store.queryKeys(prefix === undefined ? {} : { prefix }))).map((key) => key.toString()).sort();

/** Three stores at `/`, `/a` and `/a/b`, given shortest first. */
function nested() {
  const root = new MemoryDatastore();
  const a = new MemoryDatastore();
  const ab = new MemoryDatastore();
  const mounted = new MountedDatastore([
    { mountpoint: "/", store: root },
    { mountpoint: "/a", store: a },
    { mountpoint: "/a/b", store: ab },
  ]);
  return { root, a, ab, mounted };
}

describe("MountedDatastore", () => {
  test("a key goes to the longest mountpoint, which sees it without the mountpoint", async () => {
    const { root, a, ab, mounted } = nested();
    await mounted.put(new Key("/a/b/c"), bytes("abc"));
    await mounted.put(new Key("/a/x"), bytes("ax"));
    await mounted.put(new Key("/ab"), bytes("ab"));
    expect(await keysOf(ab)).toEqual(["/c"]);
    expect(await keysOf(a)).toEqual(["/x"]);
    expect(await keysOf(root)).toEqual(["/ab"]);
    expect(new TextDecoder().decode(await mounted.get(new Key("/a/b/c")))).toBe("abc");
    expect(mounted.mountpoints).toEqual(["/a/b", "/a", "/"]);
  });

  test("a key under no mountpoint is refused by put, get, has and delete, and nothing is written", async () => {
    const blocks = new MemoryDatastore();
    const mounted = new MountedDatastore([{ mountpoint: "/blocks", store: blocks }]);
    const key = new Key("/pins/x");
    await expect(mounted.put(key, bytes("x"))).rejects.toMatchObject({ code: "NODE_ERR_NO_MOUNT" });
    await expect(mounted.get(key)).rejects.toMatchObject({ code: "NODE_ERR_NO_MOUNT" });
    await expect(mounted.has(key)).rejects.toMatchObject({ code: "NODE_ERR_NO_MOUNT" });
    await expect(mounted.delete(key)).rejects.toMatchObject({ code: "NODE_ERR_NO_MOUNT" });
    expect(await keysOf(blocks)).toEqual([]);
  });

  test("a query with a prefix inside a mount lists the keys as the mount's users see them", async () => {
    const { mounted } = nested();
    await mounted.put(new Key("/a/p1"), bytes("1"));
    await mounted.put(new Key("/a/p2"), bytes("2"));
    await mounted.put(new Key("/a/q"), bytes("3"));
    await mounted.put(new Key("/p"), bytes("4"));
    expect(await keysOf(mounted, "/a/p")).toEqual(["/a/p1", "/a/p2"]);
    const pairs = await all(mounted.query({ prefix: "/a/p" }));
    expect(pairs.map(({ key }) => key.toString()).sort()).toEqual(["/a/p1", "/a/p2"]);
  });

  test("a key a longer mount shadows is not listed from the shorter mount", async () => {
    const { a, ab, mounted } = nested();
    // written to `/a` directly before `/a/b` took its prefix over
    await a.put(new Key("/b/c"), bytes("hidden"));
    await ab.put(new Key("/c"), bytes("seen"));
    expect(await keysOf(mounted)).toEqual(["/a/b/c"]);
    expect(await keysOf(mounted, "/a")).toEqual(["/a/b/c"]);
    const pairs = await all(mounted.query({}));
    expect(pairs.map(({ value }) => new TextDecoder().decode(value))).toEqual(["seen"]);
  });
});
