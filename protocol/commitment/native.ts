import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/** The compiled hashing addon (native/merkle.c), built by `npm install` through node-gyp. */
export interface NativeMerkle {
  hashLeaves(data: Uint8Array, out: Uint8Array, leafSize?: number): void;
  hashLevel(level: Uint8Array, out: Uint8Array): number;
  treeRoot(data: Uint8Array, scratch: Uint8Array, out: Uint8Array): void;
  /** Whether the CPU's SHA extensions are in use (else OpenSSL's SHA-256, per hash). */
  usesShaExtensions(): boolean;
  /** treeRoot on a pool thread; `data` must not change until it settles. */
  treeRootAsync(data: Uint8Array): Promise<Uint8Array>;
  /** Plain SHA-256 on a pool thread (a block's CID digest); `data` must not change until it settles. */
  sha256Async(data: Uint8Array): Promise<Uint8Array>;
  /** Flushes every write of the filesystem holding `path` (Linux syncfs(2)), on a pool thread. */
  syncfs(path: string): Promise<void>;
}

function load(): NativeMerkle | undefined {
  if (process.env.STRATA_NO_NATIVE === "1") return undefined;
  const path = join(import.meta.dirname, "..", "..", "build", "Release", "strata_merkle.node");
  if (!existsSync(path)) return undefined;
  return createRequire(import.meta.url)(path) as NativeMerkle;
}

/** The addon, or undefined where it was not built (the JavaScript path is used then). */
export const nativeMerkle: NativeMerkle | undefined = load();
