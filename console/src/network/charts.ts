// uPlot charts, each in a <figure> with a caption and a text summary for those who do not see it
// (the tables beside them hold the same numbers).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "../dom.ts";
import { bytes } from "../format.ts";

const COLORS = [
  "#2563eb",
  "#16a34a",
  "#d97706",
  "#9333ea",
  "#0891b2",
  "#db2777",
  "#65a30d",
  "#dc2626",
  "#475569",
];
const HEIGHT = 220;

export interface Chart {
  figure: HTMLElement;
  /** New data (x first, then one array per series); a new series set rebuilds the chart. */
  update(data: uPlot.AlignedData, summary: string, series?: uPlot.Series[]): void;
  destroy(): void;
}

/** A chart that sizes itself to its figure, redrawn as it resizes. */
function chart(
  id: string,
  caption: string,
  options: (width: number) => Omit<uPlot.Options, "width" | "height" | "series"> & { series: uPlot.Series[] },
): Chart {
  const plotArea = h("div", { class: "chart", role: "img", "aria-label": caption });
  const summaryLine = h("p", { class: "chart-summary", id: `${id}-summary` });
  plotArea.setAttribute("aria-describedby", summaryLine.id);
  const figure = h("figure", { id }, h("figcaption", {}, caption), plotArea, summaryLine);
  let plot: uPlot | undefined;
  let series: uPlot.Series[] | undefined;
  let data: uPlot.AlignedData = [[]];
  const width = () => Math.max(280, plotArea.clientWidth || figure.clientWidth || 600);
  const build = () => {
    plot?.destroy();
    const base = options(width());
    plot = new uPlot(
      { ...base, series: series ?? base.series, width: width(), height: HEIGHT },
      data,
      plotArea,
    );
  };
  const resize = new ResizeObserver(() => plot?.setSize({ width: width(), height: HEIGHT }));
  resize.observe(figure);
  return {
    figure,
    update(next, summary, nextSeries) {
      data = next;
      summaryLine.textContent = summary;
      if (nextSeries && nextSeries.map((s) => s.label).join() !== series?.map((s) => s.label).join()) {
        series = nextSeries;
        build();
      } else if (!plot) build();
      else plot.setData(next);
    },
    destroy() {
      resize.disconnect();
      plot?.destroy();
    },
  };
}

/** Whole periods only on the x axis. */
const periodAxis: uPlot.Axis = {
  label: "period",
  incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")),
};
/** A range of at least a few periods, so one period does not fill the chart. */
const periodRange = (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [
  Math.max(-0.5, Math.min(min, max - 4) - 0.5),
  max + 0.5,
];

/** Stored bytes per period (a filled line). */
export function storedBytesChart(): Chart {
  return chart("chart-stored", "Stored bytes per period", () => ({
    scales: { x: { time: false, range: periodRange } },
    axes: [periodAxis, { values: (_u, ticks) => ticks.map((t) => bytes(t)), size: 84 }],
    series: [
      { label: "period" },
      {
        label: "stored",
        stroke: COLORS[0],
        fill: "rgba(37, 99, 235, 0.15)",
        width: 2,
        value: (_u, v) => (v === null ? "–" : bytes(v)),
      },
    ],
    legend: { show: true },
  }));
}

/** Proofs (bars), misses and slashes (points) per period. */
export function proofsChart(): Chart {
  const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
  return chart("chart-proofs", "Proofs, misses and slashes per period", () => ({
    scales: {
      x: { time: false, range: periodRange },
      y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    axes: [periodAxis, { label: "count" }],
    series: [
      { label: "period" },
      {
        label: "proofs",
        stroke: COLORS[1],
        fill: "rgba(22, 163, 74, 0.35)",
        ...(bars ? { paths: bars } : {}),
      },
      // a miss and its slash share a value: the slash is drawn inside the miss, both seen
      { label: "misses", stroke: "#d97706", width: 0, points: { show: true, size: 16, fill: "#d97706" } },
      { label: "slashes", stroke: "#b91c1c", width: 0, points: { show: true, size: 8, fill: "#b91c1c" } },
    ],
  }));
}

/** Each node's health-check latency over the time the console has been open. */
export function latencyChart(): Chart & { nodeSeries(nodeIds: number[]): uPlot.Series[] } {
  const base = chart(
    "chart-latency",
    "Health-check latency of each node (ms, sampled while this page is open)",
    () => ({
      // at least a minute wide: the first samples do not stretch over years
      scales: { x: { time: true, range: (_u, min, max) => [min, Math.max(max, min + 60)] } },
      axes: [{}, { label: "ms" }],
      series: [{ label: "time" }],
    }),
  );
  return {
    ...base,
    nodeSeries: (nodeIds) => [
      { label: "time" },
      ...nodeIds.map((nodeId, i) => ({
        label: `node ${nodeId}`,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? "–" : `${v.toFixed(1)} ms`),
      })),
    ],
  };
}
