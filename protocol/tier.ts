/** Storage tiers, numbered as the contracts' `Tier` enum. */
export const Tier = { hot: 0, cold: 1 } as const;
export type TierName = keyof typeof Tier;
export type TierValue = (typeof Tier)[TierName];

/** Bit of each tier in a node's served-tiers mask. */
export const TierBit = { hot: 1, cold: 2 } as const;

/** Blob life cycle, numbered as the contracts' `BlobStatus` enum. */
export const BlobStatus = {
  none: 0,
  registered: 1,
  certified: 2,
  deleted: 3,
  reclaimed: 4,
  settled: 5,
} as const;
export type BlobStatusName = keyof typeof BlobStatus;

const statusNames = Object.keys(BlobStatus) as BlobStatusName[];

/** The name of a `BlobStatus` value read from the chain. */
export function blobStatusName(value: number): BlobStatusName {
  const name = statusNames[value];
  if (name === undefined) throw new RangeError(`unknown blob status ${value}`);
  return name;
}

/** The name of a `Tier` value read from the chain. */
export function tierName(value: number): TierName {
  if (value === Tier.hot) return "hot";
  if (value === Tier.cold) return "cold";
  throw new RangeError(`unknown tier ${value}`);
}
