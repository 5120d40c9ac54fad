import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";

export interface Service {
  name: string;
  url: string;
  logFile: string;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (a crash). */
  kill(): Promise<void>;
}

/**
 * Runs `node <script> <args>` as a child process with its output in `logFile`, and resolves once
 * `ready` (polled) says it is up. Fails with the log's tail if it exits or is not up in time.
 */
export async function spawnService(options: {
  name: string;
  script: string;
  args: string[];
  cwd: string;
  url: string;
  logFile: string;
  ready: () => Promise<boolean>;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<Service> {
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(process.execPath, [options.script, ...options.args], {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let tail = "";
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => log.end());
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (graceMs = 15_000) => {
    if (gone()) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (options.signal?.aborted) {
      await stop(2_000);
      options.signal.throwIfAborted();
    }
    if (gone()) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}):\n${tail}`);
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop(2_000);
      throw new Error(`${options.name} was not up within ${options.timeoutMs ?? 60_000} ms:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return {
    name: options.name,
    url: options.url,
    logFile: options.logFile,
    process: child,
    stop,
    async kill() {
      if (gone()) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** True when `url` answers 2xx within a second. */
export async function answers(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.body?.cancel();
  return response.ok;
}
