// Reading the sources an upload takes, the same in Node.js and in a page (where a ReadableStream
// is not always async iterable: Safari's is not).

/** Bytes per chunk read from a buffer. */
export const READ_CHUNK = 1 << 20;

/** `bytes` in chunks of at most READ_CHUNK (views, nothing copied). */
export async function* bytesChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += READ_CHUNK) {
    yield bytes.subarray(offset, offset + READ_CHUNK);
  }
}

/** The chunks of a web ReadableStream or an async iterable; a stream's lock is released at the end. */
export async function* streamChunks(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (!isReadableStream(source)) {
    for await (const chunk of source) {
      signal?.throwIfAborted();
      yield chunk;
    }
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The chunks of a Blob (a File), read from its start. */
export function blobChunks(blob: Blob, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  return streamChunks(blob.stream() as ReadableStream<Uint8Array>, signal);
}

/** Whether `source` is a web ReadableStream (by shape: streams of other realms count too). */
export function isReadableStream(source: unknown): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream | undefined)?.getReader === "function";
}
