import type { IndexedNode } from "../../../api/indexer/indexer-schemas.ts";
import { h, table } from "../dom.ts";
import { ago, bytes, integer, ms, percent, tiers, tokens } from "../format.ts";

const COLUMNS = [
  "Node",
  "Endpoint",
  "Standing",
  "Stake",
  "Tiers",
  "Capacity",
  "Price (byte·epoch)",
  "Latency",
  "Availability",
  "Stored",
  "Proofs",
  "Misses",
  "Slashes",
];

/** A node's standing in words: its status, and misses in a row when it has some. */
function standing(node: IndexedNode): HTMLElement {
  const label = node.missesInRow > 0 ? `${node.status}, ${node.missesInRow} missed in a row` : node.status;
  return h("span", { class: `badge badge-${node.status}` }, label);
}

function health(node: IndexedNode): { latency: string; availability: HTMLElement } {
  const checked = node.health;
  if (!checked) return { latency: "–", availability: h("span", {}, "not checked yet") };
  return {
    latency: ms(checked.latencyMs),
    availability: h(
      "span",
      {
        title: `${checked.checks} checks, the last ${ago(checked.lastCheckedAt)}${checked.lastError ? `; last error: ${checked.lastError}` : ""}`,
      },
      h("span", { class: checked.available ? "dot up" : "dot down", "aria-hidden": "true" }),
      `${checked.available ? "up" : "down"}, ${percent(checked.availability)}`,
    ),
  };
}

/** The nodes table: one row per registered node. */
export function nodesTable(nodes: IndexedNode[]): HTMLElement {
  return table(
    "Storage nodes",
    COLUMNS,
    nodes.map((node) => {
      const { latency, availability } = health(node);
      return [
        String(node.nodeId),
        // the scheme is noise in a table (the link keeps it)
        h("a", { href: node.endpoint, rel: "noopener" }, node.endpoint.replace(/^https?:\/\//, "")),
        standing(node),
        tokens(node.stake),
        tiers(node.tiers),
        bytes(node.capacity),
        integer(node.pricePerByteEpoch),
        latency,
        availability,
        node.health?.storedBytes === null || node.health?.storedBytes === undefined
          ? "–"
          : bytes(node.health.storedBytes),
        h("span", { "data-col": "proofs" }, String(node.proofs)),
        h("span", { "data-col": "misses" }, String(node.missedProofs)),
        h(
          "span",
          { "data-col": "slashes", title: node.slashes ? `slashed ${tokens(node.slashed)} in all` : "" },
          node.slashes ? `${node.slashes} (${tokens(node.slashed)} taken)` : "0",
        ),
      ];
    }),
    {
      id: "nodes-table",
      rowAttributes: (index) => ({ "data-node-id": nodes[index]?.nodeId }),
      empty: "No node is registered yet.",
    },
  );
}
