import { spawn } from "node:child_process";

/**
 * Runs a Node.js script of a dev tool (`vite`, `hardhat`) with this process's Node, its output
 * kept (the last 4,000 characters) for an error message rather than printed. Resolves with the
 * exit code; an abort kills it and rejects.
 */
export async function runNodeScript(
  script: string,
  args: string[],
  options: { cwd: string; signal?: AbortSignal | undefined },
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const abort = () => child.kill("SIGTERM");
  options.signal?.addEventListener("abort", abort, { once: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  }).finally(() => options.signal?.removeEventListener("abort", abort));
  options.signal?.throwIfAborted();
  return { code, output };
}
