// The baseline of bench/node.ts, in a process of its own as the node has: stock Helia adding a
// file with `unixfs.addByteStream` into a flat-file blockstore, then reading it back with `cat`.
//   node bench/helia-baseline.ts <data file> <blockstore dir>
// The file is read into memory and the code warmed up first (neither timed); prints {"add": s, "cat": s} on stdout.
import { readFile, rm } from "node:fs/promises";
import { unixfs } from "@helia/unixfs";
import { FsBlockstore } from "blockstore-fs";
import { MemoryDatastore } from "datastore-core";
import { createHeliaLight } from "helia";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";

/** The DAG kubo's `ipfs add --cid-version=1 --raw-leaves --chunker=size-1048576` makes (Strata's too). */
const kuboDag = {
  rawLeaves: true,
  cidVersion: 1 as const,
  chunker: fixedSize({ chunkSize: 1_048_576 }),
  layout: balanced({ maxChildrenPerNode: 174 }),
};

const [dataFile, dir] = process.argv.slice(2);
if (!dataFile || !dir) throw new Error("usage: helia-baseline.ts <data file> <blockstore dir>");
const data = await readFile(dataFile);

/** `data` in 64 KiB pieces, as a socket delivers it. */
function* pieces(bytes: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += 65_536) yield bytes.subarray(offset, offset + 65_536);
}

async function openHelia(path: string) {
  await rm(path, { recursive: true, force: true });
  const blockstore = new FsBlockstore(path);
  await blockstore.open();
  return createHeliaLight({ blockstore, datastore: new MemoryDatastore() });
}

// warm up as the node is warm (its code compiled): 16 MiB added and read, untimed, elsewhere
const warm = await openHelia(`${dir}-warm`);
const warmFs = unixfs(warm);
const warmCid = await warmFs.addByteStream(pieces(data.subarray(0, 16 * 1024 * 1024)), kuboDag);
for await (const _ of warmFs.cat(warmCid)) {
  // drain
}
await warm.stop();
await rm(`${dir}-warm`, { recursive: true, force: true });

const helia = await openHelia(dir);
const fs = unixfs(helia);
let start = performance.now();
const cid = await fs.addByteStream(pieces(data), kuboDag);
const add = (performance.now() - start) / 1000;
start = performance.now();
for await (const _ of fs.cat(cid)) {
  // drain
}
const cat = (performance.now() - start) / 1000;
await helia.stop();
await rm(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ add, cat, cid: cid.toString() })}\n`);
