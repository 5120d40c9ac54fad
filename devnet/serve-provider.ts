import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: number | string | null;
  method: string;
  params?: unknown[];
}

/**
 * Serves an EIP-1193 provider (the in-process Hardhat chain) as JSON-RPC over HTTP on loopback,
 * so storage nodes and the indexer reach the very chain the test controls.
 */
export async function serveProvider(provider: Eip1193): Promise<{ url: string; close(): Promise<void> }> {
  const answer = async (request: JsonRpcRequest) => {
    try {
      const result = await provider.request({ method: request.method, params: request.params ?? [] });
      return { jsonrpc: "2.0", id: request.id, result };
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: request.id,
        error: { code: e.code ?? -32603, message: e.message ?? "error", data: e.data },
      };
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body: JsonRpcRequest | JsonRpcRequest[];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const work = Array.isArray(body) ? Promise.all(body.map(answer)) : answer(body);
      void work.then((reply) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify(reply, (_key, value) =>
            typeof value === "bigint" ? `0x${value.toString(16)}` : value,
          ),
        );
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
