import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { putStream, toBlob } from "./put-stream.browser.ts";

/** What the server saw of the last PUT. */
let last: { headers: IncomingMessage["headers"]; body: Buffer } | undefined;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    last = { headers: req.headers, body: Buffer.concat(chunks) };
    const refuse = req.url?.includes("refuse");
    res.writeHead(refuse ? 409 : 200, { "content-type": "application/json" });
    res.end(JSON.stringify(refuse ? { code: "NODE_ERR_X" } : { received: last.body.length }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const bytes = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff);

describe("the browser build's PUT (fetch, where there is no XMLHttpRequest)", () => {
  test("sends a Blob with its length, the given headers but the ones a page may not set", async () => {
    const data = bytes(300_000);
    let sent = 0;
    const reply = await putStream(`${url}/store`, new Blob([data]), {
      headers: { "content-length": "1", "x-strata-shard-roots": "0xab" },
      onBytes: (n) => {
        sent += n;
      },
    });
    expect(reply).toEqual({ status: 200, statusText: "OK", json: { received: data.length } });
    expect(sent).toBe(data.length);
    expect(last?.headers["content-length"]).toBe(String(data.length));
    expect(last?.headers["content-type"]).toBe("application/octet-stream");
    expect(last?.headers["x-strata-shard-roots"]).toBe("0xab");
    expect(Buffer.compare(last?.body as Buffer, data)).toBe(0);
  });

  test("sends chunks as one Blob, each copied as it came (a producer may reuse its buffer)", async () => {
    const data = bytes(200_000);
    const reused = new Uint8Array(1000);
    const chunks = async function* () {
      for (let offset = 0; offset < data.length; offset += reused.length) {
        reused.set(data.subarray(offset, offset + reused.length));
        yield reused;
      }
    };
    const reply = await putStream(`${url}/store`, chunks());
    expect(reply.status).toBe(200);
    expect(Buffer.compare(last?.body as Buffer, data)).toBe(0);
    expect((await toBlob(chunks())).size).toBe(data.length);
  });

  test("returns a refusal with its JSON, counting no bytes sent", async () => {
    let sent = 0;
    const reply = await putStream(`${url}/refuse`, new Blob([bytes(10)]), {
      onBytes: (n) => {
        sent += n;
      },
    });
    expect(reply).toMatchObject({ status: 409, json: { code: "NODE_ERR_X" } });
    expect(sent).toBe(0);
  });

  test("stops on an aborted signal", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      putStream(`${url}/store`, new Blob([bytes(10)]), { signal: controller.signal }),
    ).rejects.toThrow("stop");
  });
});
