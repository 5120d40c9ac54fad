import { describe, expect, test } from "vitest";
import { StrataError } from "../errors.ts";
import { prepareSource as prepareInPage } from "./prepare-source.browser.ts";
import { prepareSource } from "./prepare-source.ts";
import type { PreparedSource } from "./upload-types.ts";

const MiB = 1 << 20;
const data = Uint8Array.from({ length: 2 * MiB + 777 }, (_, i) => (i * 13 + (i >> 9)) & 0xff);

async function bytesOf(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A web stream of `data` in chunks of 65,536 bytes. */
function chunkedStream(): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.slice(offset, offset + 65_536));
      offset += 65_536;
    },
  });
}

/** An async iterable of `data` in uneven chunks (views into it). */
async function* chunkedIterable(): AsyncGenerator<Uint8Array> {
  for (let offset = 0, size = 1000; offset < data.length; offset += size, size = (size * 3) % 200_000 || 1) {
    yield data.subarray(offset, offset + size);
  }
}

describe("the browser build's prepareSource", () => {
  let expected: PreparedSource;

  test("gives the CID and commitment of the Node build for bytes, a Blob, a stream and an iterable", async () => {
    expected = await prepareSource(data);
    const sizes: number[] = [];
    for (const source of [data, new Blob([data]), chunkedStream(), chunkedIterable()]) {
      let hashed = 0;
      const prepared = await prepareInPage(source, {
        onSize: (size) => sizes.push(size),
        onBytes: (n) => {
          hashed += n;
        },
      });
      expect({ size: prepared.size, cid: prepared.cid, commitment: prepared.commitment }).toEqual({
        size: expected.size,
        cid: expected.cid,
        commitment: expected.commitment,
      });
      expect(hashed).toBe(data.length);
      // what a page sends: a Blob of the very bytes; and the bytes again, pass after pass
      expect(Buffer.compare(Buffer.from(await (prepared.blob as Blob).arrayBuffer()), data)).toBe(0);
      expect(Buffer.compare(await bytesOf(prepared.open()), data)).toBe(0);
      expect(Buffer.compare(await bytesOf(prepared.open()), data)).toBe(0);
      await prepared.dispose();
    }
    // bytes and a Blob say their size up front; a stream cannot
    expect(sizes).toEqual([data.length, data.length]);
  });

  test("the Node build reads a Blob twice without spooling it", async () => {
    const blob = new Blob([data]);
    const prepared = await prepareSource(blob);
    expect(prepared.cid).toBe(expected.cid);
    expect(prepared.blob).toBe(blob);
    expect(Buffer.compare(await bytesOf(prepared.open()), data)).toBe(0);
  });

  test("refuses a file path and an empty blob with coded errors", async () => {
    for (const source of ["./photo.png", new Uint8Array(0)]) {
      const error = await prepareInPage(source).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StrataError);
      expect((error as StrataError).code).toBe("STRATA_ERR_INVALID_ARGUMENT");
    }
  });

  test("stops on an aborted signal", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(prepareInPage(chunkedStream(), { signal: controller.signal })).rejects.toThrow("stop");
  });
});
