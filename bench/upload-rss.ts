// bench/upload-rss: the peak resident memory of the SDK uploading one large file (default 1 GiB,
// STRATA_BENCH_MIB) to three nodes of the devnet, measured in a child process that does nothing
// else. Prints `{ peakRssMiB, ms, sizeMiB, replicas }`; the target is <= 256 MiB.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { devnetKey } from "../devnet/hardhat-chain.ts";
import { FIRST_DAPP_ACCOUNT } from "../devnet/start-devnet.ts";
import { startBenchDevnet } from "./bench-devnet.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");

export interface UploadRssTarget {
  rpcUrl: string;
  indexerUrl: string;
  deploymentFile: string;
  privateKey: `0x${string}`;
}

/** Uploads `file` to `replicas` nodes from a fresh Node process; its peak RSS and the time taken. */
export async function measureUploadRss(
  target: UploadRssTarget,
  file: string,
  replicas = 3,
): Promise<{ peakRssMiB: number; ms: number }> {
  const { stdout } = await run(
    process.execPath,
    [
      join(import.meta.dirname, "upload-rss-child.ts"),
      target.rpcUrl,
      target.indexerUrl,
      target.deploymentFile,
      target.privateKey,
      file,
      String(replicas),
    ],
    { cwd: root, maxBuffer: 1 << 20 },
  );
  const { peakRssMiB, ms } = JSON.parse(stdout.trim().split("\n").at(-1) as string);
  return { peakRssMiB, ms };
}

/** Writes `size` random bytes to `path`, a MiB at a time. */
async function writeRandomFile(path: string, size: number) {
  await pipeline(
    (async function* () {
      for (let left = size; left > 0; left -= 1 << 20) yield randomBytes(Math.min(left, 1 << 20));
    })(),
    createWriteStream(path),
  );
}

if (import.meta.main) {
  const sizeMiB = Number(process.env.STRATA_BENCH_MIB ?? 1024);
  const bench = await startBenchDevnet("bench-upload-rss");
  const { net } = bench;
  try {
    const file = join(bench.dir, "blob.bin");
    await writeRandomFile(file, sizeMiB << 20);
    const measured = await measureUploadRss(
      {
        rpcUrl: net.rpcUrl,
        indexerUrl: net.indexerUrl,
        deploymentFile: net.deploymentFile,
        privateKey: devnetKey(FIRST_DAPP_ACCOUNT),
      },
      file,
    );
    console.log(JSON.stringify({ ...measured, sizeMiB, replicas: 3 }));
  } finally {
    await bench.stop();
  }
}
