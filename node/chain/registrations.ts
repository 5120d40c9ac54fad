import { CID } from "multiformats/cid";
import { type Address, BaseError, ContractFunctionRevertedError, type Hex, hexToBytes } from "viem";
import { type BlobStatusName, blobStatusName, type TierName, tierName } from "#protocol";
import { BlobNotOpenError, BlobNotRegisteredError } from "../errors.ts";
import type { ChainClient } from "./chain-client.ts";

/** A blob as the chain registered it, with what its registration event carried. */
export interface Registration {
  blobId: Hex;
  owner: Address;
  cid: string;
  commitment: Hex;
  size: number;
  tier: TierName;
  shardSize: number;
  /** Cold: shards needed to rebuild the blob. */
  recovery: number;
  /** Attestations that certify it. */
  quorum: number;
  status: BlobStatusName;
  holders: { nodeId: number; pricePerByteEpoch: bigint }[];
  enrolled: number;
  attested: number;
  dropped: number;
  certifyDeadline: number;
  startPeriod: number;
  endPeriod: number;
  name: string;
  mimeType: string;
  tags: string[];
}

/**
 * The holder index of node `nodeId` in `registration`, if the node may take the blob's data: the
 * registration names it, has not dropped it, and is registered or certified.
 */
export function openHolder(registration: Registration, nodeId: number): number {
  const { blobId } = registration;
  const holder = registration.holders.findIndex((h) => h.nodeId === nodeId);
  if (holder < 0) throw new BlobNotRegisteredError(blobId);
  if (registration.dropped & (1 << holder)) throw new BlobNotOpenError(blobId, "dropped for this node");
  if (registration.status !== "registered" && registration.status !== "certified") {
    throw new BlobNotOpenError(blobId, registration.status);
  }
  return holder;
}

interface Described {
  cid: string;
  name: string;
  mimeType: string;
  tags: string[];
}

/**
 * Looks up registrations: the blob's current state from `getBlob`, and its CID, name and MIME
 * type from its `BlobRegistered` event (the contract keeps only a hash-free summary). Events are
 * remembered; the watcher feeds them as they arrive, so uploads rarely need a log query.
 */
export class Registrations {
  readonly #chain: ChainClient;
  readonly #described = new Map<Hex, Described>();

  constructor(chain: ChainClient) {
    this.#chain = chain;
  }

  /** Remembers what a `BlobRegistered` event said. */
  remember(blobId: Hex, params: { cid: Hex; name: string; mimeType: string; tags: readonly string[] }): void {
    let cid: string;
    try {
      cid = CID.decode(hexToBytes(params.cid)).toString();
    } catch {
      cid = "";
    }
    this.#described.set(blobId, {
      cid,
      name: params.name,
      mimeType: params.mimeType,
      tags: [...params.tags],
    });
  }

  /** The registration of `blobId`, or undefined if there is none. */
  async get(
    blobId: Hex,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<Registration | undefined> {
    let blob: Awaited<ReturnType<ChainClient["market"]["read"]["getBlob"]>>;
    try {
      blob = await this.#chain.read(() => this.#chain.market.read.getBlob([blobId]));
    } catch (error) {
      const reverted =
        error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionRevertedError);
      if (reverted) return undefined;
      throw error;
    }
    const described = this.#described.get(blobId) ?? (await this.#describe(blobId, options));
    if (!described) return undefined;
    return {
      blobId,
      owner: blob.owner,
      commitment: blob.commitment,
      size: Number(blob.size),
      tier: tierName(blob.tier),
      shardSize: Number(blob.shardSize),
      recovery: blob.recovery,
      quorum: blob.quorum,
      status: blobStatusName(blob.status),
      holders: blob.holders.map((h) => ({ nodeId: h.nodeId, pricePerByteEpoch: h.pricePerByteEpoch })),
      enrolled: blob.enrolled,
      attested: blob.attested,
      dropped: blob.dropped,
      certifyDeadline: Number(blob.certifyDeadline),
      startPeriod: blob.startPeriod,
      endPeriod: blob.endPeriod,
      ...described,
    };
  }

  async #describe(
    blobId: Hex,
    options: { signal?: AbortSignal | undefined },
  ): Promise<Described | undefined> {
    options.signal?.throwIfAborted();
    const logs = await this.#chain.read(() =>
      this.#chain.market.getEvents.BlobRegistered(
        { blobId },
        { fromBlock: this.#chain.deployment.deploymentBlock },
      ),
    );
    const event = logs[0];
    if (!event?.args.params) return undefined;
    this.remember(blobId, event.args.params);
    return this.#described.get(blobId);
  }
}
