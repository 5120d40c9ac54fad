import { CommitmentBuilder } from "../commitment/commitment-builder.ts";
import type { ColdLayout } from "./cold-layout.ts";
import { shardsRoot } from "./shard-roots.ts";
import { encodeShards } from "./stripes.ts";

/** Every holder's shard commitment and the blob's cold commitment over them, in one pass. */
export async function coldCommitmentOfStream(
  source: AsyncIterable<Uint8Array>,
  layout: ColdLayout,
  signal?: AbortSignal,
): Promise<{ shardRoots: Uint8Array[]; commitment: Uint8Array }> {
  const builders = Array.from({ length: layout.nodes }, () => new CommitmentBuilder());
  for await (const parts of encodeShards(source, layout, signal)) {
    parts.forEach((part, i) => {
      builders[i].update(part);
    });
  }
  const shardRoots = builders.map((builder) => builder.digest());
  return { shardRoots, commitment: shardsRoot(shardRoots) };
}
