import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback HTTP proxy in front of `target` that answers every request as the target does,
 * except that in a CAR answer it flips one bit of the byte `fromEnd` bytes before the end (inside
 * the last block: a holder that serves a tampered block). `tampered` counts the answers it changed.
 */
export async function startTamperingProxy(target: string, fromEnd = 1) {
  let tampered = 0;
  const server = createServer(async (request, response) => {
    try {
      const upstream = await fetch(new URL(request.url ?? "/", target), {
        method: request.method ?? "GET",
        headers: request.headers.accept ? { accept: request.headers.accept } : {},
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const type = upstream.headers.get("content-type") ?? "";
      if (type.startsWith("application/vnd.ipld.car") && body.length > fromEnd) {
        const at = body.length - fromEnd;
        body[at] = (body[at] as number) ^ 0x01;
        tampered += 1;
      }
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (name !== "content-length" && name !== "transfer-encoding" && name !== "connection")
          headers[name] = value;
      });
      response.writeHead(upstream.status, { ...headers, "content-length": String(body.length) });
      response.end(body);
    } catch {
      response.destroy();
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get tampered() {
      return tampered;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
