// The browser build's `prepare-source.ts`: no file system. A File or Blob is read twice (once to
// hash, once per node by the browser as it sends it), never held whole in the page; bytes are put
// in a Blob once; a one-shot stream is kept in a Blob while it is hashed (the browser's blob store
// holds it, paging a large one to disk), so the page's memory holds a few chunks at a time.
import { InvalidArgumentError } from "../errors.ts";
import { blobChunks, bytesChunks, streamChunks } from "./byte-chunks.ts";
import { hashSource } from "./hash-source.ts";
import type * as Node from "./prepare-source.ts";

export type { PrepareOptions } from "./prepare-source.ts";
export type { PreparedSource, UploadSource } from "./upload-types.ts";

/** Chunks kept as Blob parts, folded into one every this many (a Blob of Blobs copies nothing). */
const FOLD_PARTS = 64;

export const prepareSource: typeof Node.prepareSource = async (source, options = {}) => {
  const { signal } = options;
  const nothing = async () => undefined;
  if (typeof source === "string") {
    throw new InvalidArgumentError(
      `a file path (${source}) can be uploaded from Node.js only: in a page, pass a File, a Blob, a ReadableStream or bytes`,
    );
  }
  if (source instanceof Uint8Array) {
    options.onSize?.(source.length);
    const hashed = await hashSource(bytesChunks(source), options);
    const blob = new Blob([source as Uint8Array<ArrayBuffer>]);
    return { ...hashed, open: () => bytesChunks(source), blob, dispose: nothing };
  }
  if (source instanceof Blob) {
    options.onSize?.(source.size);
    const hashed = await hashSource(blobChunks(source, signal), options);
    return { ...hashed, open: () => blobChunks(source, signal), blob: source, dispose: nothing };
  }
  let parts: Blob[] = [];
  const keep = async function* () {
    for await (const chunk of streamChunks(source, signal)) {
      // copied into the blob store as it comes: a producer may reuse its buffers
      parts.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
      if (parts.length >= FOLD_PARTS) parts = [new Blob(parts)];
      yield chunk;
    }
  };
  const hashed = await hashSource(keep(), options);
  const blob = new Blob(parts);
  parts = [];
  return { ...hashed, open: () => blobChunks(blob, signal), blob, dispose: nothing };
};
