import type uPlot from "uplot";
import type { IndexedNode, IndexerStats, PeriodsReply } from "../../../api/indexer/indexer-schemas.ts";
import { h, replace, section, table } from "../dom.ts";
import { bytes, short, tokens } from "../format.ts";
import type { View, ViewContext } from "../view.ts";
import { blobsSection } from "./blobs.ts";
import { latencyChart, proofsChart, storedBytesChart } from "./charts.ts";
import { nodesTable } from "./nodes.ts";

/** Periods the charts show. */
const PERIODS = 48;
/** Latency samples kept per node (at the refresh rate: 10 minutes at 5 s). */
const SAMPLES = 120;

/**
 * The network as the indexer sees it: a summary, the activity per period (charts and a table),
 * the nodes with their stake, standing and health, the blobs with search, names and vaults.
 * Refreshes the live parts every `refreshMs`; needs no wallet.
 */
export function networkView(ctx: ViewContext): View {
  const { indexer, announce } = ctx;
  const summary = h("dl", { class: "summary", id: "summary" });
  const nodesHolder = h("div", { id: "nodes-holder" }, h("p", {}, "Loading nodes…"));
  const periodsHolder = h("div", { id: "periods-holder" });
  const stored = storedBytesChart();
  const proofs = proofsChart();
  const latency = latencyChart();
  const blobs = blobsSection(indexer, announce);
  const namesHolder = h("div", { id: "names-holder" });
  const vaultsHolder = h("div", { id: "vaults-holder" });
  // from the moment the page opened (an empty first sample: one point alone would span years)
  const samples: { at: number; latency: Map<number, number | null> }[] = [
    { at: Date.now() / 1000 - 1, latency: new Map() },
  ];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const element = h(
    "div",
    { class: "view" },
    h("h1", { id: "view-title", tabindex: -1 }, "Network"),
    section("overview", "Overview", summary),
    section("nodes", "Nodes", nodesHolder, latency.figure),
    section(
      "activity",
      "Activity per period",
      h("div", { class: "charts" }, stored.figure, proofs.figure),
      periodsHolder,
    ),
    blobs.element,
    section("names", "Names", namesHolder),
    section("vaults", "Vaults", vaultsHolder),
  );

  function renderSummary(stats: IndexerStats, nodes: IndexedNode[], periods: PeriodsReply): void {
    const latest = periods.periods.at(-1);
    const active = nodes.filter((n) => n.status === "active").length;
    const stake = nodes.reduce((sum, n) => sum + BigInt(n.stake), 0n);
    const items: [string, string][] = [
      ["Chain", `id ${stats.chainId}, block ${stats.headBlock.toLocaleString("en-US")}`],
      ["Indexed", `block ${stats.indexedBlock.toLocaleString("en-US")} (${stats.lag} behind)`],
      ["Period", String(periods.current)],
      ["Nodes", `${active} active of ${nodes.length}`],
      ["Stake", tokens(stake)],
      ["Blobs", (stats.rows.blobs ?? 0).toLocaleString("en-US")],
      ["Stored now", latest ? `${bytes(latest.storedBytes)} in ${latest.blobs} certified blobs` : "–"],
    ];
    replace(summary, ...items.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  }

  function renderPeriods(reply: PeriodsReply): void {
    const { periods } = reply;
    const x = periods.map((p) => p.period);
    const first = periods[0];
    const last = periods.at(-1);
    stored.update(
      [x, periods.map((p) => p.storedBytes)],
      first && last
        ? `From period ${first.period} to ${last.period}, stored bytes went from ${bytes(first.storedBytes)} to ${bytes(last.storedBytes)}.`
        : "No period yet.",
    );
    const sum = (key: "proofs" | "misses" | "slashes") => periods.reduce((n, p) => n + p[key], 0);
    proofs.update(
      [
        x,
        periods.map((p) => p.proofs),
        periods.map((p) => p.misses || null),
        periods.map((p) => p.slashes || null),
      ],
      `Over the last ${periods.length} periods: ${sum("proofs")} proofs, ${sum("misses")} misses, ${sum("slashes")} slashes.`,
    );
    const recent = periods.slice(-12).reverse();
    replace(
      periodsHolder,
      table(
        "Proofs, misses and slashes in the last periods, newest first",
        ["Period", "Proofs", "Misses", "Slashes", "Slashed", "Certified blobs", "Stored"],
        recent.map((p) => [
          String(p.period),
          String(p.proofs),
          p.misses
            ? `${p.misses} (${p.nodes
                .filter((n) => n.misses)
                .map((n) => `node ${n.nodeId}`)
                .join(", ")})`
            : "0",
          String(p.slashes),
          tokens(p.slashed),
          String(p.blobs),
          bytes(p.storedBytes),
        ]),
        { id: "periods-table" },
      ),
    );
  }

  function renderLatency(nodes: IndexedNode[]): void {
    samples.push({
      at: Date.now() / 1000,
      latency: new Map(
        nodes.map((n) => [n.nodeId, n.health?.available ? (n.health.latencyMs ?? null) : null]),
      ),
    });
    if (samples.length > SAMPLES) samples.shift();
    const ids = nodes.map((n) => n.nodeId);
    const data = [
      samples.map((s) => s.at),
      ...ids.map((id) => samples.map((s) => s.latency.get(id) ?? null)),
    ];
    const down = nodes.filter((n) => n.health && !n.health.available).map((n) => `node ${n.nodeId}`);
    latency.update(
      data as uPlot.AlignedData,
      `${nodes.length} nodes; ${down.length ? `not answering: ${down.join(", ")}` : "all answering"}.`,
      latency.nodeSeries(ids),
    );
  }

  async function refreshLive(): Promise<void> {
    const [stats, nodes, periods] = await Promise.all([
      indexer.stats(),
      indexer.nodes(),
      indexer.periods({ limit: PERIODS }),
    ]);
    performance.mark("strata-live-data");
    renderSummary(stats, nodes, periods);
    replace(nodesHolder, nodesTable(nodes));
    performance.mark("strata-tables");
    renderPeriods(periods);
    renderLatency(nodes);
    performance.mark("strata-charts");
  }

  async function loadNamesAndVaults(): Promise<void> {
    const [names, vaults] = await Promise.all([
      indexer.names.names({ limit: 20 }).catch(() => undefined),
      indexer.vaults.vaults({ limit: 20 }).catch(() => undefined),
    ]);
    replace(
      namesHolder,
      !names
        ? h("p", {}, "Names are not available from this indexer.")
        : names.names.length === 0
          ? h("p", {}, "No name has been published yet.")
          : table(
              "Names, newest first",
              ["Label", "Owner", "Points at", "Sequence", "IPNS name", "Locked"],
              names.names.map((n) => [
                n.label,
                h("code", { title: n.owner }, short(n.owner)),
                n.path || h("code", {}, short(n.value, 10)),
                String(Number(n.sequence)),
                h("code", { title: n.ipnsName }, short(n.ipnsName, 10)),
                n.locked ? "yes" : "no",
              ]),
            ),
    );
    replace(
      vaultsHolder,
      !vaults
        ? h("p", {}, "Vaults are not available from this indexer.")
        : vaults.vaults.length === 0
          ? h("p", {}, "No vault has been opened yet.")
          : table(
              "Vaults",
              ["Vault", "Owner", "Home node", "Quota", "Snapshots", "Paid through", "Closed"],
              vaults.vaults.map((v) => [
                String(v.vaultId),
                h("code", { title: v.owner }, short(v.owner)),
                String(v.home),
                bytes(v.quota),
                String(v.sequence),
                new Date(v.paidThrough * 1000).toLocaleString(),
                v.closed ? "yes" : "no",
              ]),
            ),
    );
  }

  const tick = async () => {
    try {
      await refreshLive();
    } catch (error) {
      announce(`Could not refresh from the indexer: ${(error as Error).message}`);
    }
    if (!stopped) timer = setTimeout(() => void tick(), ctx.refreshMs);
  };

  return {
    element,
    title: "Network",
    async start() {
      await Promise.all([refreshLive(), blobs.load(), loadNamesAndVaults()]);
      if (!stopped) timer = setTimeout(() => void tick(), ctx.refreshMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      stored.destroy();
      proofs.destroy();
      latency.destroy();
    },
  };
}
