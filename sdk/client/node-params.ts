import type { Address } from "viem";
import { TierBit, type TierName } from "../../protocol/index.ts";

/** A storage node as its operator registers it. */
export interface NodeParams {
  /** The node's own signing key (it signs attestations and pays for its proofs). */
  signer: Address;
  /** Where clients reach the node's HTTP API. */
  endpoint: string;
  peerId: string;
  multiaddrs?: string[];
  /** Tiers it serves (default hot only). */
  tiers?: TierName[];
  /** Bytes it offers. */
  capacity: bigint;
  /** Its price in token base units per byte and epoch. */
  pricePerByteEpoch: bigint;
}

/** `params` as the registry's `register` and `update` take them (tiers as bits). */
export function registryNodeParams(params: NodeParams) {
  const tiers = (params.tiers ?? ["hot"]).reduce((bits, tier) => bits | TierBit[tier], 0);
  return {
    signer: params.signer,
    endpoint: params.endpoint,
    peerId: params.peerId,
    multiaddrs: params.multiaddrs ?? [],
    tiers,
    capacity: params.capacity,
    pricePerByteEpoch: params.pricePerByteEpoch,
  };
}
