import { createServer } from "node:net";
import { CliError, ExitCode } from "./cli-error.ts";

/** A port a service is about to listen on, and the setting that names it. */
export interface Listen {
  host: string;
  port: number;
  /** Where it is set: `http.port in node.json`. */
  setting: string;
}

/** Resolves when `port` can be bound on `host` now, with the error code otherwise. */
function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "EADDRINUSE"));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Throws a one-line CliError (exit 2) when one of `listens` is taken (another node, a second
 * start of the same one) or not allowed, before the service opens anything. Port 0 is any port.
 */
export async function requireFreePorts(listens: Listen[]): Promise<void> {
  for (const { host, port, setting } of listens) {
    if (port === 0) continue;
    const code = await tryListen(host, port);
    if (code === "EADDRINUSE")
      throw new CliError(
        "STRATA_ERR_PORT_IN_USE",
        ExitCode.usage,
        `port ${port} (${setting}) is in use (EADDRINUSE): stop what listens there (this node or indexer already running?), or choose a free port`,
      );
    if (code === "EACCES")
      throw new CliError(
        "STRATA_ERR_PORT_DENIED",
        ExitCode.usage,
        `port ${port} (${setting}) may not be opened by this user (EACCES): choose a port above 1023`,
      );
  }
}
