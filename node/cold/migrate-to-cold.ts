import { CID } from "multiformats/cid";
import { type Hex, toHex } from "viem";
import { BlobStatus, coldCommitmentOfStream, holdersIn } from "#protocol";
import { sendShards } from "../../api/node/index.ts";
import { certifyShards, type SignedAttestation } from "../chain/attestor.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import type { Registrations } from "../chain/registrations.ts";
import { BlobNotOpenError, InvalidShardsError, MigrationFailedError, NotFoundError } from "../errors.ts";
import type { Reader } from "../hot/reader.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import { coldRegistration } from "./cold-registration.ts";
import type { PeerEndpoints } from "./peer-parts.ts";

export interface MigratedToCold {
  blobId: Hex;
  coldBlobId: Hex;
  cid: string;
  attested: number[];
  failures: { nodeId: number; error: string }[];
  certified: boolean;
  transaction: Hex;
}

/**
 * Moves a hot blob this node holds into the cold registration `coldBlobId` its owner made for the
 * same CID: encodes it from the local copy, checks the shard commitments give the registered cold
 * commitment, streams each shard to its holder, and submits their attestations. The hot copy
 * stays while its own registration lasts (the owner deletes it when the cold copy is certified).
 */
export async function migrateToCold(
  deps: {
    chain: ChainClient;
    registrations: Pick<Registrations, "get">;
    records: Pick<BlobRecords, "get">;
    reader: Pick<Reader, "locate" | "read">;
    peers: Pick<PeerEndpoints, "client">;
  },
  blobId: Hex,
  coldBlobId: Hex,
  options: { signal?: AbortSignal } = {},
): Promise<MigratedToCold> {
  const { chain, registrations, records, reader, peers } = deps;
  const hot = await records.get(blobId, options);
  if (!hot || hot.shard || hot.state === "ended") throw new NotFoundError(`hot blob ${blobId} on this node`);
  const { registration, layout } = await coldRegistration(registrations, coldBlobId, options);
  if (registration.cid !== hot.cid) {
    throw new InvalidShardsError(`cold blob ${coldBlobId} registers ${registration.cid}, not ${hot.cid}`);
  }
  if (registration.owner.toLowerCase() !== hot.owner.toLowerCase()) {
    throw new InvalidShardsError(
      `cold blob ${coldBlobId} belongs to ${registration.owner}, not ${hot.owner}`,
    );
  }
  if (registration.status !== "registered" && registration.status !== "certified") {
    throw new BlobNotOpenError(coldBlobId, registration.status);
  }
  const located = await reader.locate(CID.parse(hot.cid), { ...options, fetch: false });
  const open = () => reader.read(located, { offset: 0, length: located.size }, options);
  const { shardRoots, commitment } = await coldCommitmentOfStream(open(), layout, options.signal);
  if (toHex(commitment) !== registration.commitment) {
    throw new InvalidShardsError(
      `blob ${blobId} encodes to the cold commitment ${toHex(commitment)}, not the registered ${registration.commitment}`,
    );
  }
  const roots = shardRoots.map((root) => toHex(root));
  const nodes = await Promise.all(registration.holders.map((holder) => peers.client(holder.nodeId)));
  const sent = await sendShards(open, layout, coldBlobId, roots, nodes, options);
  const { replies } = sent;
  const failures = sent.failures.map((f) => ({
    nodeId: registration.holders[f.holder]?.nodeId ?? 0,
    error: (f.error as Error).message ?? String(f.error),
  }));
  if (replies.length === 0 || replies.length < registration.quorum - holdersIn(registration.attested)) {
    throw new MigrationFailedError(
      `${replies.length} of the ${registration.quorum} holders needed took their shard: ${failures
        .map((f) => `node ${f.nodeId}: ${f.error}`)
        .join("; ")}`,
    );
  }
  const receipt = await certifyShards(
    chain,
    coldBlobId,
    replies.map((reply) => reply.attestation as SignedAttestation),
    roots,
    options,
  );
  const after = await chain.read(() => chain.market.read.getBlob([coldBlobId]));
  return {
    blobId,
    coldBlobId,
    cid: hot.cid,
    attested: replies.map((reply) => reply.nodeId),
    failures: failures.map(({ nodeId, error }) => ({ nodeId, error })),
    certified: after.status === BlobStatus.certified,
    transaction: receipt.transactionHash,
  };
}
