// A weight histogram as SVG (attributes only, no inline styles): equal-width bins from min to max, bars scaled to the
// largest bin, with the range under it. `histogramBars` is the pure part.
import type { WeightStats } from "../../../common/graph/node-details";
import { formatNumber } from "../../../common/units";

export const HISTOGRAM_WIDTH = 240;
export const HISTOGRAM_HEIGHT = 60;

export function histogramBars(
  counts: readonly number[],
  width = HISTOGRAM_WIDTH,
  height = HISTOGRAM_HEIGHT,
): { x: number; y: number; width: number; height: number }[] {
  const max = Math.max(1, ...counts);
  const w = width / Math.max(1, counts.length);
  return counts.map((c, i) => {
    // A non-empty bin is at least one pixel high, so sparse tails stay visible.
    const h = c === 0 ? 0 : Math.max(1, (c / max) * height);
    return { x: i * w, y: height - h, width: Math.max(0.5, w - 0.5), height: h };
  });
}

const SVG = "http://www.w3.org/2000/svg";

export function histogramSvg(stats: WeightStats): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "histogram");
  svg.setAttribute("viewBox", `0 0 ${HISTOGRAM_WIDTH} ${HISTOGRAM_HEIGHT + 14}`);
  svg.setAttribute("role", "img");
  svg.setAttribute(
    "aria-label",
    `Histogram of ${stats.elements} values from ${formatNumber(stats.histogram.min)} to ${formatNumber(stats.histogram.max)}`,
  );
  for (const b of histogramBars(stats.histogram.counts)) {
    const r = document.createElementNS(SVG, "rect");
    r.setAttribute("class", "bar");
    for (const [k, v] of Object.entries(b)) r.setAttribute(k, v.toFixed(2));
    svg.append(r);
  }
  for (const [x, anchor, value] of [
    [0, "start", stats.histogram.min],
    [HISTOGRAM_WIDTH, "end", stats.histogram.max],
  ] as const) {
    const t = document.createElementNS(SVG, "text");
    t.setAttribute("class", "axis");
    t.setAttribute("x", String(x));
    t.setAttribute("y", String(HISTOGRAM_HEIGHT + 12));
    t.setAttribute("text-anchor", anchor);
    t.textContent = formatNumber(value);
    svg.append(t);
  }
  return svg;
}
