import { errorLine, isChainUnreachable } from "./cli-error.ts";

/** The errors of `error`'s cause chain, `error` first. */
function causes(error: unknown): { code?: unknown; message?: unknown; port?: unknown; address?: unknown }[] {
  const chain = [];
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && depth < 8; depth++) {
    chain.push(e as { code?: unknown; message?: unknown });
    e = e.cause as typeof e;
  }
  return chain;
}

/** The address and port a listen failed on with `code` (EADDRINUSE, EACCES), from the error or its text. */
function listenFailure(error: unknown, code: string): { where: string } | undefined {
  for (const e of causes(error)) {
    if (e.code === code) return { where: `${e.address ?? ""}:${e.port ?? "?"}`.replace(/^:/, "port ") };
    const match =
      typeof e.message === "string"
        ? new RegExp(`${code}[^\\d\\[]*([\\[\\]\\d.:a-f]+:\\d+)`).exec(e.message)
        : null;
    if (match) return { where: match[1] as string };
  }
  return undefined;
}

/**
 * Why a service (`node start`, `indexer start`) failed, as one line naming the fix: a port in
 * use or not allowed, the chain unreachable, a bad configuration; `config` names the file the
 * fix goes in.
 */
export function describeServiceFailure(error: unknown, setting: { rpcUrl: string; config: string }): string {
  const inUse = listenFailure(error, "EADDRINUSE");
  if (inUse)
    return `${inUse.where} is in use (EADDRINUSE): stop what listens there, or choose a free port in ${setting.config}`;
  const denied = listenFailure(error, "EACCES");
  if (denied)
    return `${denied.where} may not be opened by this user (EACCES): choose ports above 1023 in ${setting.config}`;
  if (isChainUnreachable(error) || causes(error).some((e) => String(e.code).endsWith("_CHAIN_UNAVAILABLE")))
    return `cannot reach the chain at ${setting.rpcUrl}: start it, or fix rpcUrl in ${setting.config}`;
  const cause = (error as { cause?: unknown }).cause;
  const line = errorLine(error);
  return cause instanceof Error && !line.includes(cause.message.split("\n")[0] ?? "")
    ? `${line}: ${errorLine(cause)}`
    : line;
}
