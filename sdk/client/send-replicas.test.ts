import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { sendReplicas } from "./send-replicas.ts";

let server: Server | undefined;

afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

async function* chunks(count: number) {
  for (let i = 0; i < count; i += 1) yield new Uint8Array(1 << 20);
}

test("sendReplicas reports a refusing node with its code and status", async () => {
  server = createServer((_req, res) => {
    res.writeHead(503, { "content-type": "application/json", connection: "close" });
    res.end(JSON.stringify({ error: { code: "NODE_ERR_NODE_INACTIVE", message: "not active" } }));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { replies, failures } = await sendReplicas(
    { cid: "bafy", open: () => chunks(4) },
    "0x01",
    [{ nodeId: 3, endpoint: url }],
    { onBytes: () => undefined },
  );
  expect(replies).toEqual([]);
  expect(failures).toEqual([
    {
      nodeId: 3,
      endpoint: url,
      status: 503,
      code: "NODE_ERR_NODE_INACTIVE",
      error: "node 3: HTTP 503 NODE_ERR_NODE_INACTIVE: not active",
    },
  ]);
});
