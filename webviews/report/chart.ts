// The per-iteration latency chart: a small SVG line chart, coloured by VS Code theme variables through CSS classes
// (report.css). Layout is pure (`layoutChart`); `renderChart` turns it into SVG elements.
import { formatMs } from "../../common/units";

const SVG_NS = "http://www.w3.org/2000/svg";

export interface ChartSeries {
  label: string;
  valuesMs: readonly number[];
}

export interface ChartLayout {
  width: number;
  height: number;
  /** Plot area in view space (pixels of the viewBox). */
  plot: { left: number; top: number; right: number; bottom: number };
  yMaxMs: number;
  series: { label: string; points: { x: number; y: number; ms: number; iteration: number }[] }[];
  yTicks: { y: number; ms: number }[];
}

export function layoutChart(series: readonly ChartSeries[], width = 640, height = 220): ChartLayout {
  const plot = { left: 56, top: 12, right: width - 12, bottom: height - 28 };
  const all = series.flatMap((s) => s.valuesMs);
  const max = all.length ? Math.max(...all) : 1;
  const yMaxMs = niceCeil(max * 1.1);
  const n = Math.max(1, ...series.map((s) => s.valuesMs.length));
  const xOf = (i: number) =>
    n === 1 ? (plot.left + plot.right) / 2 : plot.left + ((plot.right - plot.left) * i) / (n - 1);
  const yOf = (ms: number) => plot.bottom - ((plot.bottom - plot.top) * ms) / yMaxMs;
  return {
    width,
    height,
    plot,
    yMaxMs,
    series: series.map((s) => ({
      label: s.label,
      points: s.valuesMs.map((ms, i) => ({ x: xOf(i), y: yOf(ms), ms, iteration: i + 1 })),
    })),
    yTicks: [0, 0.25, 0.5, 0.75, 1].map((f) => ({ y: yOf(yMaxMs * f), ms: yMaxMs * f })),
  };
}

/** The smallest 1/2/5×10^k at or above x. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** What the axes and points are called: iterations by default; decode steps in the generation chart. */
export interface ChartNames {
  /** The chart's class besides `latency-chart`. */
  className?: string;
  ariaLabel?: string;
  xLabel?: string;
  /** A point's name in its tooltip: "#3" by default. */
  pointName?: (index: number) => string;
}

export function renderChart(series: readonly ChartSeries[], names: ChartNames = {}): SVGSVGElement {
  const layout = layoutChart(series);
  const root = svg("svg", {
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    class: names.className ? `latency-chart ${names.className}` : "latency-chart",
    role: "img",
  }) as SVGSVGElement;
  root.setAttribute("aria-label", names.ariaLabel ?? "Latency per iteration");
  const { plot } = layout;
  for (const tick of layout.yTicks) {
    root.append(svg("line", { x1: plot.left, x2: plot.right, y1: tick.y, y2: tick.y, class: "grid" }));
    const label = svg("text", { x: plot.left - 6, y: tick.y + 4, class: "axis-label", "text-anchor": "end" });
    label.textContent = `${+tick.ms.toPrecision(3)}`;
    root.append(label);
  }
  const xLabel = svg("text", {
    x: (plot.left + plot.right) / 2,
    y: layout.height - 6,
    class: "axis-label",
    "text-anchor": "middle",
  });
  xLabel.textContent = names.xLabel ?? "iteration";
  const yLabel = svg("text", { x: 12, y: plot.top + 8, class: "axis-label" });
  yLabel.textContent = "ms";
  root.append(xLabel, yLabel);
  layout.series.forEach((s, index) => {
    const group = svg("g", { class: `series series-${index}`, "data-series": s.label });
    if (s.points.length > 1)
      group.append(
        svg("polyline", {
          points: s.points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" "),
          class: "line",
        }),
      );
    for (const p of s.points) {
      const dot = svg("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: 3, class: "point" });
      const title = svg("title", {});
      title.textContent = `${s.label} ${names.pointName ? names.pointName(p.iteration) : `#${p.iteration}`}: ${formatMs(p.ms)}`;
      dot.append(title);
      group.append(dot);
    }
    root.append(group);
    if (layout.series.length > 1) {
      const y = plot.top + 4 + index * 14;
      const key = svg("g", { class: `legend series-${index}` });
      key.append(svg("circle", { cx: plot.right - 150, cy: y - 3, r: 4, class: "point" }));
      const text = svg("text", { x: plot.right - 140, y, class: "axis-label" });
      text.textContent = s.label.length > 28 ? `${s.label.slice(0, 27)}…` : s.label;
      key.append(text);
      root.append(key);
    }
  });
  return root;
}
