import { createHash, randomBytes } from "node:crypto";
import { type Hex, parseEventLogs } from "viem";
import { proofSystemAbi } from "#protocol";
import type { Devnet } from "./start-devnet.ts";

export interface LoadOptions {
  /** dApps uploading at once (default 8); they share `accounts` devnet dApp accounts. */
  uploaders?: number;
  /** Uploads each uploader makes one after the other (default 3). */
  uploadsEach?: number;
  /** Distinct dApp accounts the uploaders sign with (default 3, so several share one). */
  accounts?: number;
  /** Readers reading certified blobs while the uploads run (default 16). */
  readers?: number;
  /** Size range of each upload in bytes (default 64 KiB to 8 MiB). */
  minBytes?: number;
  maxBytes?: number;
  replicas?: number;
  signal?: AbortSignal;
}

export interface LoadedBlob {
  blobId: Hex;
  cid: string;
  size: number;
  sha256: string;
  nodes: { nodeId: number; endpoint: string }[];
}

export interface LoadReport {
  blobs: LoadedBlob[];
  /** Uploads that did not certify, with their error. */
  failures: string[];
  /** Upload latencies (hashing to certificate) in milliseconds, sorted. */
  latenciesMs: number[];
  bytes: number;
  wallSeconds: number;
  /** How far the chain's clock moved over the run. */
  chainSeconds: number;
  /** The chain's clock minus the wall clock at the end, in seconds. */
  chainLeadSeconds: number;
  reads: { indexer: number; direct: number; failures: string[] };
  /** ProofMissed and NodeSlashed events emitted during the run. */
  missedProofs: number;
  fromBlock: bigint;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * Runs a devnet the way its users do: `uploaders` dApps uploading random files at once (several
 * from the same account) while `readers` read back what is certified, through the indexer and
 * straight from a holder. Reports every upload, every failed read, upload latencies, and the
 * chain's clock against the wall clock.
 */
export async function runLoad(net: Devnet, options: LoadOptions = {}): Promise<LoadReport> {
  const uploaders = options.uploaders ?? 8;
  const uploadsEach = options.uploadsEach ?? 3;
  const accounts = options.accounts ?? 3;
  const readers = options.readers ?? 16;
  const minBytes = options.minBytes ?? 64 << 10;
  const maxBytes = options.maxBytes ?? 8 << 20;
  const replicas = options.replicas ?? 3;
  const start = await net.publicClient.getBlock();
  const startedAt = Date.now();
  const blobs: LoadedBlob[] = [];
  const failures: string[] = [];
  const latenciesMs: number[] = [];
  const reads = { indexer: 0, direct: 0, failures: [] as string[] };
  let bytes = 0;
  let uploading = true;

  const upload = async (uploader: number) => {
    const client = net.dappClient(uploader % accounts);
    for (let n = 0; n < uploadsEach; n += 1) {
      const size = minBytes + Math.floor(Math.random() * (maxBytes - minBytes));
      const data = randomBytes(size);
      const began = performance.now();
      try {
        const result = await client.upload(data, {
          replicas,
          name: `load-${uploader}-${n}.bin`,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        latenciesMs.push(performance.now() - began);
        bytes += size;
        blobs.push({
          blobId: result.blobId,
          cid: result.cid,
          size,
          sha256: sha256(data),
          nodes: result.nodes,
        });
      } catch (error) {
        failures.push(`uploader ${uploader} upload ${n} (${size} B): ${(error as Error).message}`);
      }
    }
  };

  const read = async (reader: number) => {
    const client = net.dappClient(reader % accounts);
    while (uploading || reads.indexer + reads.direct < readers) {
      options.signal?.throwIfAborted();
      const blob = blobs[Math.floor(Math.random() * blobs.length)];
      if (!blob) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const direct = reader % 2 === 1;
      try {
        let got: Uint8Array;
        if (direct) {
          const holder = blob.nodes[Math.floor(Math.random() * blob.nodes.length)] as LoadedBlob["nodes"][0];
          const response = await fetch(`${holder.endpoint}/file/${blob.cid}`, {
            ...(options.signal ? { signal: options.signal } : {}),
          });
          if (response.status !== 200) throw new Error(`node ${holder.nodeId} answered ${response.status}`);
          got = new Uint8Array(await response.arrayBuffer());
          reads.direct += 1;
        } else {
          got = await client.get(blob.cid, options.signal ? { signal: options.signal } : {});
          reads.indexer += 1;
        }
        if (sha256(got) !== blob.sha256) throw new Error("bytes differ");
      } catch (error) {
        reads.failures.push(
          `reader ${reader} ${direct ? "direct" : "indexer"} ${blob.cid}: ${(error as Error).message}`,
        );
      }
    }
  };

  const readersDone = Promise.all(Array.from({ length: readers }, (_, i) => read(i)));
  await Promise.all(Array.from({ length: uploaders }, (_, i) => upload(i)));
  uploading = false;
  await readersDone;

  const end = await net.publicClient.getBlock();
  const wallSeconds = (Date.now() - startedAt) / 1000;
  const logs = await net.publicClient.getLogs({
    address: net.deployment.contracts.proofSystem,
    fromBlock: start.number,
    toBlock: end.number,
  });
  const missedProofs = parseEventLogs({ abi: proofSystemAbi, logs, eventName: "ProofMissed" }).length;
  latenciesMs.sort((a, b) => a - b);
  return {
    blobs,
    failures,
    latenciesMs,
    bytes,
    wallSeconds,
    chainSeconds: Number(end.timestamp - start.timestamp),
    chainLeadSeconds: Number(end.timestamp) - Date.now() / 1000,
    reads,
    missedProofs,
    fromBlock: start.number,
  };
}

/** The `q` quantile (0..1) of sorted `values`. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  return values[Math.min(values.length - 1, Math.floor(q * values.length))] as number;
}

/** Reads every blob from every holder it was uploaded to; returns what did not match. */
export async function checkEveryHolder(
  blobs: readonly LoadedBlob[],
  signal?: AbortSignal,
): Promise<string[]> {
  const problems: string[] = [];
  for (const blob of blobs) {
    for (const node of blob.nodes) {
      const response = await fetch(`${node.endpoint}/file/${blob.cid}`, { ...(signal ? { signal } : {}) });
      if (response.status !== 200) {
        problems.push(`node ${node.nodeId} answered ${response.status} for ${blob.cid}`);
        continue;
      }
      const got = new Uint8Array(await response.arrayBuffer());
      if (sha256(got) !== blob.sha256)
        problems.push(`node ${node.nodeId} served other bytes for ${blob.cid}`);
    }
  }
  return problems;
}
