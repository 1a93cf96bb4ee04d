// Per iteration (model_run), its latency across the run as an SVG bar chart, outliers (Tukey's fences, computed by
// the worker) and the warm-up runs the tables leave out marked; hovering a bar names it, clicking shows that run on
// the timeline.
import { formatUs } from "../../../common/units";
import type { IterationRow } from "../model/trace-views";

const SVG = "http://www.w3.org/2000/svg";
const W = 760;
const H = 220;
const PAD = { left: 56, right: 8, top: 10, bottom: 24 };

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Where bar i goes (pure): x, width, and its height for `value` with the axis up to `maxUs`. */
export function barGeometry(
  i: number,
  count: number,
  value: number,
  maxUs: number,
): { x: number; width: number; y: number; height: number } {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, count);
  const height = maxUs > 0 ? (value / maxUs) * plotH : 0;
  return { x: PAD.left + i * step, width: Math.max(1, step * 0.8), y: PAD.top + plotH - height, height };
}

export function iterationChart(rows: readonly IterationRow[], onRun: (row: IterationRow) => void): SVGSVGElement {
  const root = svg("svg", {
    class: "iteration-chart",
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": "Latency per iteration",
  });
  const maxUs = Math.max(1, ...rows.map((r) => r.durationUs)) * 1.05;
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + (H - PAD.top - PAD.bottom) * (1 - f);
    root.append(svg("line", { class: "grid", x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }));
    const label = svg("text", { class: "axis", x: PAD.left - 4, y: y + 4, "text-anchor": "end" });
    label.textContent = formatUs(maxUs * f);
    root.append(label);
  }
  rows.forEach((r, i) => {
    const g = barGeometry(i, rows.length, r.durationUs, maxUs);
    const bar = svg("rect", {
      class: r.warmup ? "bar warmup" : r.outlier ? "bar outlier" : "bar",
      x: g.x,
      y: g.y,
      width: g.width,
      height: g.height,
      "data-run": r.run,
    });
    const title = svg("title", {});
    title.textContent = `run ${r.run}: ${formatUs(r.durationUs)} (${r.kernels} kernels, ${formatUs(r.kernelUs)} in kernels)${r.outlier ? " — outlier" : ""}${r.warmup ? " — warm-up, left out of the tables" : ""}`;
    bar.append(title);
    bar.addEventListener("click", () => onRun(r));
    root.append(bar);
  });
  const caption = svg("text", { class: "axis", x: PAD.left, y: H - 6 });
  const warmups = rows.filter((r) => r.warmup).length;
  caption.textContent =
    `${rows.length} runs` +
    (warmups > 0 ? `, the first ${warmups} left out as warm-up (faded)` : "") +
    `; ${rows.filter((r) => r.outlier).length} outliers marked`;
  root.append(caption);
  return root;
}
