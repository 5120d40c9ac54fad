import { hashNode } from "../commitment/hashing.ts";
import { ProtocolError } from "../errors.ts";

const ZERO = new Uint8Array(32);

/**
 * A cold blob's commitment: the Merkle root over its holders' shard commitments, in holder
 * order, padded with zero hashes to a power of two, inner nodes `sha256(0x01 || left || right)`
 * (docs/protocol.md, "Cold tier"). One shard: its own commitment.
 */
export function shardsRoot(roots: readonly Uint8Array[]): Uint8Array {
  if (roots.length === 0) throw new ProtocolError("a cold blob has at least one shard");
  let level = roots.map((root) => {
    if (root.length !== 32) throw new ProtocolError("a shard commitment is 32 bytes");
    return root;
  });
  let width = 1;
  while (width < level.length) width *= 2;
  while (level.length < width) level.push(ZERO);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(Uint8Array.from(hashNode(level[i], level[i + 1])));
    level = next;
  }
  return level[0];
}
