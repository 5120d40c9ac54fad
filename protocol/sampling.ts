import { encodeAbiParameters, type Hex, keccak256 } from "viem";
import { LEAF_SIZE } from "./commitment/constants.ts";
import { ProtocolError } from "./errors.ts";

/**
 * The proof system's clock and sampling rule (docs/protocol.md §3), as ProofSystem, ProofSetBook
 * and ProofSampling compute them: for auditors recomputing a period's challenges from the chain,
 * and for the vectors in docs/protocol-vectors.json that the Solidity tests check too.
 */

/** Draws per sample before a sample that keeps landing on dead entries is void (ProofSampling). */
export const MAX_ATTEMPTS = 16;

/** The proving period of chain time `timestamp`: `floor((timestamp - genesis) / periodSeconds)`. */
export function periodAt(timestamp: bigint, genesis: bigint, periodSeconds: bigint): number {
  if (timestamp < genesis || periodSeconds <= 0n)
    throw new ProtocolError(`no period at ${timestamp} (genesis ${genesis}, ${periodSeconds} s periods)`);
  return Number((timestamp - genesis) / periodSeconds);
}

/** The seed of `period` from the hash of its committed block: `keccak256(abi.encode(blockHash, period))`. */
export function seedOf(blockHash: Hex, period: number): Hex {
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint32" }], [blockHash, period]));
}

/** Draw `attempt` of sample `sample`: `uint256(keccak256(abi.encode(seed, uint32 nodeId, uint256 sample, uint256 attempt)))`. */
export function drawOf(seed: Hex, nodeId: number, sample: number, attempt: number): bigint {
  return BigInt(
    keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "uint32" }, { type: "uint256" }, { type: "uint256" }],
        [seed, nodeId, BigInt(sample), BigInt(attempt)],
      ),
    ),
  );
}

/**
 * An entry of a node's proof set as the period samples it: whether the market challenges the
 * holder on it this period (`challengeTarget(...).live`) and the size of what it holds (the blob
 * for hot, its shard for cold).
 */
export interface SampledEntry {
  live: boolean;
  size: number;
}

/** A drawn sample: the set position it landed on, the leaf, and the draw that found it. */
export interface Sample {
  entry: number;
  leafIndex: number;
  attempt: number;
}

/**
 * The samples of one node in one period over its snapshot `entries` (the set as it stood when
 * the period started, in set order): sample j tries draws 0..15, each picking entry
 * `draw mod entries.length`; the first live entry wins with leaf `(draw >> 128) mod
 * ceil(size / 256)`. A sample whose 16 draws all land on dead entries is void (`null`): it is
 * neither challenged nor proven, and consumes no proof bytes.
 */
export function drawSamples(
  seed: Hex,
  nodeId: number,
  entries: readonly SampledEntry[],
  samples: number,
): (Sample | null)[] {
  if (entries.length === 0) return [];
  const length = BigInt(entries.length);
  const drawn: (Sample | null)[] = [];
  for (let sample = 0; sample < samples; sample++) {
    let found: Sample | null = null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !found; attempt++) {
      const draw = drawOf(seed, nodeId, sample, attempt);
      const entry = Number(draw % length);
      const target = entries[entry] as SampledEntry;
      if (!target.live) continue;
      const leaves = BigInt(Math.ceil(target.size / LEAF_SIZE));
      found = { entry, leafIndex: Number((draw >> 128n) % leaves), attempt };
    }
    drawn.push(found);
  }
  return drawn;
}

/**
 * A proof set after `pruned` leave it, in the order they were pruned: each is replaced by the
 * set's last entry, which moves into its place (ProofSetBook's swap-and-pop). This is how the
 * set a later period samples is ordered.
 */
export function afterPrunes<T>(set: readonly T[], pruned: readonly T[]): T[] {
  const result = [...set];
  for (const entry of pruned) {
    const position = result.indexOf(entry);
    if (position < 0) throw new ProtocolError(`pruned entry ${String(entry)} is not in the set`);
    const last = result.pop() as T;
    if (position < result.length) result[position] = last;
  }
  return result;
}
