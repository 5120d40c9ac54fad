import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { putStream } from "./put-stream.ts";

let server: Server | undefined;

afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `count` chunks of 1 MiB, counting how many were read. */
function chunks(count: number) {
  const state = { read: 0 };
  const body = (async function* () {
    for (let i = 0; i < count; i += 1) {
      state.read += 1;
      yield new Uint8Array(1 << 20);
    }
  })();
  return { state, body };
}

describe("putStream", () => {
  test("sends the whole body and returns the JSON answer", async () => {
    const url = await serve((req, res) => {
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
      });
      req.on("end", () => res.end(JSON.stringify({ size })));
    });
    const { body } = chunks(8);
    let counted = 0;
    const reply = await putStream(`${url}/store`, body, { onBytes: (n) => (counted += n) });
    expect(reply).toMatchObject({ status: 200, json: { size: 8 << 20 } });
    expect(counted).toBe(8 << 20);
  });

  test("a refusal before the body is read comes back as the node's answer, and the body stops", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: { code: "NODE_ERR_NODE_DROPPED", message: "dropped" } }));
    });
    const { state, body } = chunks(1024);
    const reply = await putStream(`${url}/store`, body);
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({ error: { code: "NODE_ERR_NODE_DROPPED", message: "dropped" } });
    expect(state.read).toBeLessThan(1024);
  });
});
