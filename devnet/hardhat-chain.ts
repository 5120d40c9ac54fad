import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createPublicClient, type Hex, http, toHex } from "viem";
import { type HDAccount, mnemonicToAccount } from "viem/accounts";

/** Hardhat's default mnemonic: its accounts are funded with 10,000 ETH on the devnet. Public knowledge. */
export const DEVNET_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of devnet account `index` (public knowledge: devnet use only). */
export function devnetKey(index: number): Hex {
  return toHex(devnetAccount(index).getHdKey().privateKey as Uint8Array);
}

/** Account `index` of the devnet mnemonic (0 deploys; the rest are operators and dApps). */
export function devnetAccount(index: number): HDAccount {
  return mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index });
}

export interface HardhatChain {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `hardhat node` (EDR) as a child process on loopback and resolves once it answers
 * JSON-RPC. `root` is the project root (where hardhat.config.ts lives).
 */
export async function startHardhatChain(options: {
  root: string;
  port: number;
  signal?: AbortSignal;
}): Promise<HardhatChain> {
  const { root, port, signal } = options;
  const child = spawn(
    process.execPath,
    [
      join(root, "node_modules", "hardhat", "dist", "src", "cli.js"),
      "node",
      "--hostname",
      "127.0.0.1",
      "--port",
      `${port}`,
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    if (output.length < 64_000) output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const client = createPublicClient({ transport: http(url, { retryCount: 0, timeout: 2_000 }) });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    signal?.throwIfAborted();
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}):\n${output}`);
    try {
      await client.getChainId();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`hardhat node did not answer on ${url} within 60 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  // the chain's chatter is not ours to print once it is up
  child.stdout?.off("data", collect);
  child.stdout?.resume();
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
