// The browser build's `cache-files.ts`: a page has no file system, so a database's copy is kept
// in memory for the page's life (every block is still checked against its CID when read).
import type * as Node from "./cache-files.ts";

const files = new Map<string, Uint8Array>();
const key = (dir: string, name: string) => `${dir}\u0000${name}`;

export const readCached: typeof Node.readCached = async (dir, name) => files.get(key(dir, name));

export const writeCached: typeof Node.writeCached = async (dir, name, bytes) => {
  files.set(key(dir, name), typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes.slice());
};
