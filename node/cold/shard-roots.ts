import type { Hex } from "viem";
import type { Registration } from "../chain/registrations.ts";
import { ShardsUnavailableError } from "../errors.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import { checkRoots } from "./cold-registration.ts";
import type { PeerEndpoints } from "./peer-parts.ts";

/** The shard commitments of a cold blob: this node's record, else another holder's, checked. */
export async function shardRootsOf(
  deps: { records: Pick<BlobRecords, "get">; peers: Pick<PeerEndpoints, "client">; nodeId: number },
  registration: Registration,
  options: { signal?: AbortSignal } = {},
): Promise<Hex[]> {
  const record = await deps.records.get(registration.blobId, options);
  if (record?.shard) return record.shard.roots;
  let lastError: unknown;
  for (const [index, holder] of registration.holders.entries()) {
    if (holder.nodeId === deps.nodeId || registration.dropped & (1 << index)) continue;
    try {
      const peer = await deps.peers.client(holder.nodeId);
      const meta = await peer.getMeta(registration.blobId, options);
      return checkRoots(registration, meta.shardRoots);
    } catch (error) {
      options.signal?.throwIfAborted();
      lastError = error;
    }
  }
  throw new ShardsUnavailableError(registration.blobId, 0, 1, { cause: lastError });
}
