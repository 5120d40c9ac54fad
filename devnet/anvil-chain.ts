import { type ChildProcess, spawn } from "node:child_process";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { createPublicClient, http } from "viem";

/** Where npm puts Foundry's anvil (`@foundry-rs/anvil-linux-amd64`, a devDependency). */
export function anvilBinary(root: string): string {
  return join(root, "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
}

export interface AnvilChain {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts Foundry's anvil on loopback, mining a block every `blockTime` seconds and never on
 * demand (no automine), with the devnet mnemonic's accounts funded; resolves once it answers
 * JSON-RPC. `root` is the project root (where node_modules is).
 */
export async function startAnvilChain(options: {
  root: string;
  port: number;
  blockTime?: number;
  chainId?: number;
  signal?: AbortSignal;
}): Promise<AnvilChain> {
  const binary = anvilBinary(options.root);
  await access(binary).catch(() => {
    throw new Error(
      `no anvil at ${binary}: run npm ci (it is the devDependency @foundry-rs/anvil-linux-amd64)`,
    );
  });
  const child = spawn(
    binary,
    [
      "--host",
      "127.0.0.1",
      "--port",
      `${options.port}`,
      "--block-time",
      `${options.blockTime ?? 1}`,
      ...(options.chainId ? ["--chain-id", `${options.chainId}`] : []),
      "--silent",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const client = createPublicClient({ transport: http(url, { retryCount: 0, timeout: 2_000 }) });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (options.signal?.aborted) {
      await stop();
      options.signal.throwIfAborted();
    }
    if (child.exitCode !== null) throw new Error(`anvil exited (${child.exitCode}):\n${output}`);
    try {
      await client.getChainId();
      return { url, process: child, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`anvil did not answer on ${url} within 30 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
