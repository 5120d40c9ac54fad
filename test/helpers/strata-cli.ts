import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";

const CLI = join(import.meta.dirname, "..", "..", "cli", "strata.ts");

/** What a finished `strata` run left. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without the STRATA_* variables of whoever runs the tests, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("STRATA_")));
  return { ...base, FORCE_COLOR: "0", ...env };
}

/** Runs `node cli/strata.ts ARGS` in `cwd` as a user would, and resolves with its exit code and output. */
export function runStrata(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd, env: cleanEnv(options.env ?? {}), maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

/** A long-running `strata` command (`node start`, `indexer start`). */
export interface CliService {
  process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when it ends. */
  exited: Promise<number | string>;
  /** The output so far. */
  output(): string;
}

/** Starts `node cli/strata.ts ARGS` in `cwd`, its output appended to `logFile`. */
export function startStrata(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; logFile: string },
): CliService {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env ?? {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(options.logFile, { flags: "a" });
  let text = "";
  const collect = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-64_000);
    log.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      log.end();
      resolve(code ?? signal ?? -1);
    }),
  );
  return { process: child, exited, output: () => text };
}
