import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { CONSOLE_CONFIG_FILE, type ConsoleConfig } from "../../api/indexer/index.ts";
import { staticFile } from "../../service/static-files.ts";
import { loadDeployment } from "../cli-context.ts";
import { UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { requireFreePorts } from "../free-ports.ts";

const ROOT = join(import.meta.dirname, "..", "..");

export const consoleCommand: Command = {
  name: "console",
  summary: "Serve the web console (network view and dApp) on a port, reading from an indexer",
  help: `strata console [--port P] [--host H] [--indexer URL] [--rpc-url URL] [--deployment FILE]
  --port P             where to listen (default 9300)
  --host H             the interface (default 127.0.0.1)
  --no-rpc             tell pages to make every chain call through the wallet (no --rpc-url)
Serves console/dist (built first if missing or older than its sources) with a config.json that
points the page at --indexer (which must allow this origin: its http.corsOrigins), the chain at
--rpc-url and the contracts of --deployment. The indexer also serves the console at /console/.
Ctrl-C stops it.`,
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "no-rpc": { type: "boolean", default: false },
  },
  async run({ values, signal, print, warn }) {
    const port = Number(values.port ?? 9300);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port takes 0 to 65535");
    const host = (values.host as string | undefined) ?? "127.0.0.1";
    await loadDeployment(values.deployment); // a one-line error when it is missing or not one
    const config: ConsoleConfig = {
      indexerUrl: values.indexer.replace(/\/+$/, ""),
      rpcUrl: values["no-rpc"] ? null : values["rpc-url"],
      deployment: JSON.parse(await readFile(values.deployment, "utf8")) as unknown,
    };
    const { ensureConsoleBuild } = await import("../../devnet/console-build.ts");
    await ensureConsoleBuild(ROOT, { signal, log: (line) => process.stderr.write(`${line}\n`) }).catch(
      (error: Error) => warn(`the console could not be built: ${error.message.split("\n")[0]}`),
    );
    const dist = join(ROOT, "console", "dist");
    await requireFreePorts([{ host, port, setting: "--port" }]);
    const server = createServer((request, response) => {
      const path = (request.url ?? "/").replace(/^\/+/, "");
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD" }).end();
        return;
      }
      if (path.split("?")[0] === CONSOLE_CONFIG_FILE) {
        response
          .writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" })
          .end(JSON.stringify(config));
        return;
      }
      void staticFile(dist, path).then((file) => {
        if (!file) {
          response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`no ${path} here`);
          return;
        }
        response
          .writeHead(200, { "content-type": file.type, "cache-control": file.cacheControl })
          .end(request.method === "HEAD" ? undefined : file.body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
    const address = server.address();
    const url = `http://${host}:${typeof address === "object" && address ? address.port : port}/`;
    print(
      [
        `Strata console at ${url}`,
        `  indexer    ${config.indexerUrl}`,
        `  chain      ${config.rpcUrl ?? "through the wallet"}`,
        `  deployment ${values.deployment}`,
        "Ctrl-C stops it.",
      ].join("\n"),
      { url, ...config, deployment: values.deployment },
    );
    await new Promise<void>((done) => {
      if (signal.aborted) done();
      else signal.addEventListener("abort", () => done(), { once: true });
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
};
