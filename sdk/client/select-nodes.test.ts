import { describe, expect, test } from "vitest";
import type { IndexedNode } from "../../api/indexer/index.ts";
import { NotEnoughNodesError } from "../errors.ts";
import { selectNodes } from "./select-nodes.ts";

const node = (nodeId: number, overrides: Partial<IndexedNode> = {}): IndexedNode =>
  ({
    nodeId,
    status: "active",
    tiers: 1,
    capacity: "1000000",
    pricePerByteEpoch: "10",
    health: { available: true, latencyMs: 5, storedBytes: 0 },
    ...overrides,
  }) as IndexedNode;

describe("selectNodes", () => {
  test("cheapest first, then fastest; unfit nodes left out", () => {
    const nodes = [
      node(1, { pricePerByteEpoch: "20" }),
      node(2, { health: { available: true, latencyMs: 50, storedBytes: 0 } as IndexedNode["health"] }),
      node(3),
      node(4, { status: "jailed" }),
      node(5, { tiers: 2 }),
      node(6, { health: { available: true, latencyMs: 1, storedBytes: 999_999 } as IndexedNode["health"] }),
      node(7, { health: { available: false, latencyMs: null, storedBytes: 0 } as IndexedNode["health"] }),
    ];
    expect(selectNodes(nodes, { count: 3, size: 1000, tier: "hot" }).map((n) => n.nodeId)).toEqual([3, 2, 1]);
  });

  test("too few fit nodes: an error that says why", () => {
    const nodes = [node(1), node(2, { status: "unbonding" }), node(3, { tiers: 2 })];
    expect(() => selectNodes(nodes, { count: 2, size: 10, tier: "hot" })).toThrow(NotEnoughNodesError);
    expect(() => selectNodes(nodes, { count: 2, size: 10, tier: "hot" })).toThrow(
      /1 inactive, 1 not serving hot/,
    );
  });
});
