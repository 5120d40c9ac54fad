import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ExitCode } from "./run-process.ts";

/** A process run by `runProcess`, doing what MODE says. */
const SCRIPT = `
import { runProcess } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "run-process.ts")).href)};
const mode = process.env.MODE;
class BadConfig extends Error {}
class Unreachable extends Error {}
await runProcess({
  name: "test-service",
  graceMs: 500,
  loadConfig: async () => {
    if (mode === "config") throw new Error("no configuration");
    return { logLevel: "silent" };
  },
  start: async () => {
    if (mode === "wrong-key") throw new BadConfig("wrong key");
    if (mode === "unreachable") throw new Unreachable("no chain");
    if (mode === "start-failed") throw new Error("boom");
    const alive = setInterval(() => {}, 1000);
    process.stdout.write("up\\n");
    return {
      stop: async () => {
        process.stdout.write("stop\\n");
        if (mode === "hang") await new Promise(() => {});
        clearInterval(alive);
      },
    };
  },
  ended: () => (mode === "crash" ? Promise.reject(new Error("sync died")) : new Promise(() => {})),
  errors: { config: [BadConfig], unreachable: [Unreachable] },
});
if (mode === "throw") setTimeout(() => { throw new Error("uncaught"); }, 50);
`;

let dir: string;
let script: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "run-process-"));
  script = join(dir, "service.mjs");
  await writeFile(script, SCRIPT);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the script in `mode`, sending `signals` once it is up; its exit code and stdout. */
async function run(
  mode: string,
  signals: NodeJS.Signals[] = [],
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, MODE: mode } });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes("up\n") && signals.length > 0) {
      for (const signal of signals.splice(0)) child.kill(signal);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, out };
}

describe("runProcess", () => {
  test("SIGTERM stops the service once and exits 0", async () => {
    const { code, out } = await run("ok", ["SIGTERM"]);
    expect(code).toBe(ExitCode.ok);
    expect(out.match(/^stop$/gm)).toHaveLength(1);
  });

  test("a configuration that does not load exits 2, as does a configuration error at start", async () => {
    expect((await run("config")).code).toBe(ExitCode.config);
    expect((await run("wrong-key")).code).toBe(ExitCode.config);
  });

  test("a chain unreachable at start exits 5; any other failure to start 1", async () => {
    expect((await run("unreachable")).code).toBe(ExitCode.unreachable);
    expect((await run("start-failed")).code).toBe(ExitCode.failed);
  });

  test("a stop that outlasts the grace time exits 1", async () => {
    const { code, out } = await run("hang", ["SIGINT"]);
    expect(code).toBe(ExitCode.failed);
    expect(out).toContain("stop\n");
  });

  test("the service ending with an error, or an uncaught error, stops it and exits 1", async () => {
    for (const mode of ["crash", "throw"]) {
      const { code, out } = await run(mode);
      expect(code, mode).toBe(ExitCode.failed);
      expect(out.match(/^stop$/gm), mode).toHaveLength(1);
    }
  });
});
