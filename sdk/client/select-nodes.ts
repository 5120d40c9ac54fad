import type { IndexedNode } from "../../api/indexer/index.ts";
import { TierBit, type TierName } from "../../protocol/index.ts";
import { NotEnoughNodesError } from "../errors.ts";

/**
 * The `count` best nodes for a blob of `size` bytes in `tier`: active, serving the tier, with
 * room for it, answering their health checks; cheapest first, then fastest. Nodes never checked
 * yet rank after checked ones; unavailable ones are left out.
 */
export function selectNodes(
  nodes: IndexedNode[],
  want: { count: number; size: number; tier: TierName },
): IndexedNode[] {
  const bit = want.tier === "hot" ? TierBit.hot : TierBit.cold;
  const reasons = { inactive: 0, tier: 0, room: 0, down: 0 };
  const unfit = (node: IndexedNode): keyof typeof reasons | undefined => {
    if (node.status !== "active") return "inactive";
    if ((node.tiers & bit) === 0) return "tier";
    if (BigInt(node.capacity) - BigInt(node.health?.storedBytes ?? 0) < BigInt(want.size)) return "room";
    if (node.health && !node.health.available) return "down";
    return undefined;
  };
  const fit = nodes.filter((node) => {
    const reason = unfit(node);
    if (reason) reasons[reason] += 1;
    return reason === undefined;
  });
  fit.sort((a, b) => {
    const price = BigInt(a.pricePerByteEpoch) - BigInt(b.pricePerByteEpoch);
    if (price !== 0n) return price < 0n ? -1 : 1;
    const latency = (node: IndexedNode) => node.health?.latencyMs ?? Number.POSITIVE_INFINITY;
    return latency(a) - latency(b) || a.nodeId - b.nodeId;
  });
  if (fit.length < want.count) {
    const why = Object.entries(reasons)
      .filter(([, n]) => n > 0)
      .map(
        ([reason, n]) =>
          `${n} ${reason === "room" ? "without room" : reason === "tier" ? `not serving ${want.tier}` : reason}`,
      )
      .join(", ");
    throw new NotEnoughNodesError(want.count, fit.length, why || `${nodes.length} nodes registered`);
  }
  return fit.slice(0, want.count);
}
