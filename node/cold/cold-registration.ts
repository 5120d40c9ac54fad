import { type Hex, toHex } from "viem";
import { type ColdLayout, coldLayout, shardsRoot } from "#protocol";
import type { Registration, Registrations } from "../chain/registrations.ts";
import { BlobNotRegisteredError, InvalidShardsError } from "../errors.ts";

/** The registration of a cold blob, its layout checked against the protocol's. */
export async function coldRegistration(
  registrations: Pick<Registrations, "get">,
  blobId: Hex,
  options: { signal?: AbortSignal } = {},
): Promise<{ registration: Registration; layout: ColdLayout }> {
  const registration = await registrations.get(blobId, options);
  if (!registration) throw new BlobNotRegisteredError(blobId);
  if (registration.tier !== "cold") throw new InvalidShardsError(`blob ${blobId} is not a cold blob`);
  const layout = coldLayout(registration.size, registration.holders.length, registration.recovery);
  if (layout.shardSize !== registration.shardSize) {
    throw new InvalidShardsError(
      `blob ${blobId} registered shards of ${registration.shardSize} bytes; its layout gives ${layout.shardSize}`,
    );
  }
  return { registration, layout };
}

/** Checks `roots` are the registration's shard commitments. */
export function checkRoots(registration: Registration, roots: readonly string[]): Hex[] {
  if (roots.length !== registration.holders.length || roots.some((root) => !/^0x[0-9a-f]{64}$/.test(root))) {
    throw new InvalidShardsError(
      `expected ${registration.holders.length} shard commitments (0x + 64 lowercase hex each)`,
    );
  }
  const root = toHex(shardsRoot(roots.map((r) => Buffer.from(r.slice(2), "hex"))));
  if (root !== registration.commitment) {
    throw new InvalidShardsError(
      `the shard commitments hash to ${root}, not the registered ${registration.commitment}`,
    );
  }
  return roots as Hex[];
}
