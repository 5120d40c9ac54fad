import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { describe, expect, test } from "vitest";
import { guardedBlockstore, PendingBlocks } from "./pending-blocks.ts";

const cidOf = async (text: string) =>
  CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text)));

/** A blockstore in memory whose deletes take `deleteMs`. */
function memoryStore(deleteMs = 0) {
  const blocks = new Map<string, Uint8Array>();
  const key = (cid: CID) => cid.multihash.toString();
  return {
    blocks,
    has: async (cid: CID) => blocks.has(key(cid)),
    put: async (cid: CID, bytes: Uint8Array) => {
      blocks.set(key(cid), bytes);
      return cid;
    },
    delete: async (cid: CID) => {
      await new Promise((resolve) => setTimeout(resolve, deleteMs));
      blocks.delete(key(cid));
    },
  };
}

describe("PendingBlocks", () => {
  test("a held block is not deleted; once the session closes it is", async () => {
    const pending = new PendingBlocks();
    const store = memoryStore();
    const cid = await cidOf("a");
    const session = pending.session();
    await guardedBlockstore(store, session).put(cid, Uint8Array.of(1));
    expect(pending.has(cid)).toBe(true);
    expect(await pending.deleteUnheld(cid, () => store.delete(cid))).toBe(false);
    expect(await store.has(cid)).toBe(true);
    session.close();
    expect(pending.has(cid)).toBe(false);
    expect(await pending.deleteUnheld(cid, () => store.delete(cid))).toBe(true);
    expect(await store.has(cid)).toBe(false);
  });

  test("the same CID with another codec is the same block", async () => {
    const pending = new PendingBlocks();
    const cid = await cidOf("b");
    const session = pending.session();
    await session.hold(cid);
    expect(pending.has(CID.createV1(0x70, cid.multihash))).toBe(true);
    session.close();
  });

  test("a write that starts while the block is being deleted waits for the delete, then lands", async () => {
    const pending = new PendingBlocks();
    const store = memoryStore(50);
    const cid = await cidOf("c");
    await store.put(cid, Uint8Array.of(1));
    const deleting = pending.deleteUnheld(cid, () => store.delete(cid));
    const session = pending.session();
    await guardedBlockstore(store, session).put(cid, Uint8Array.of(2));
    expect(await deleting).toBe(true);
    expect(store.blocks.get(cid.multihash.toString())).toEqual(Uint8Array.of(2));
    session.close();
  });

  test("a rollback keeps a block another import also wrote", async () => {
    const pending = new PendingBlocks();
    const store = memoryStore();
    const cid = await cidOf("d");
    const first = pending.session();
    const second = pending.session();
    await guardedBlockstore(store, first).put(cid, Uint8Array.of(1));
    await guardedBlockstore(store, second).put(cid, Uint8Array.of(1));
    await guardedBlockstore(store, first).delete(cid);
    expect(await store.has(cid)).toBe(true);
    first.close();
    expect(pending.has(cid)).toBe(true);
    await guardedBlockstore(store, second).delete(cid);
    expect(await store.has(cid)).toBe(false);
    expect(pending.size).toBe(0);
  });
});
