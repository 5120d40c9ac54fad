import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { InvalidArgumentError } from "../errors.ts";

/** A local file's size and its bytes (Node.js; the browser build takes `local-file.browser.ts`). */
export async function openLocalFile(
  path: string,
  signal?: AbortSignal,
): Promise<{ size: number; chunks: AsyncIterable<Uint8Array> }> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new InvalidArgumentError(`${path} is not a readable file`);
  const chunks = createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  return { size: info.size, chunks: chunks as AsyncIterable<Uint8Array> };
}
