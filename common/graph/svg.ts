// A laid-out graph (common/graph/scene.ts) as SVG text, for `edge graph --svg` and `--png` (and anything else that
// wants a static picture). Each model node is a `<g data-node="NAME">` (its ONNX node name, or `op#index` when it
// has none) holding its box as a `<rect>` and its labels as `<text>`; groups are `<g data-group="SCOPE">`, graph
// inputs and outputs `<g data-input="TENSOR">` / `<g data-output="TENSOR">`. Each edge is a
// `<path data-from="…" data-to="…">` naming its ends the same way (node name, scope, or tensor name); an edge only an
// If/Loop/Scan body reads (a capture) is dotted and carries `data-implicit="true"`. An overlay
// (latency, partitions, quantization error) colours the boxes and adds a legend. All text is escaped. Pure.
import type { ModelGraph } from "./model-graph";
import { nodeLabel } from "./model-graph";
import type { GraphOverlays, OverlayKind } from "./overlays";
import type { GraphScene, SceneNode } from "./scene";

export type SvgTheme = "light" | "dark";

export interface SvgOptions {
  overlays?: GraphOverlays;
  /** Which overlay colours the boxes (it must be present in `overlays`). */
  overlay?: OverlayKind;
  theme?: SvgTheme;
}

const PADDING = 16;
const LEGEND_ROW = 18;

const themes: Record<SvgTheme, Record<string, string>> = {
  light: {
    background: "#ffffff",
    node: "#eef3fb",
    nodeStroke: "#5a6b85",
    group: "#f6f6f6",
    groupStroke: "#9aa3b0",
    io: "#e8f5e9",
    text: "#1f2328",
    subtext: "#57606a",
    edge: "#6e7781",
    problem: "#d1242f",
  },
  dark: {
    background: "#1e1e1e",
    node: "#2b3442",
    nodeStroke: "#8aa0c0",
    group: "#252526",
    groupStroke: "#5c6370",
    io: "#233527",
    text: "#e6edf3",
    subtext: "#9da7b3",
    edge: "#8b949e",
    problem: "#f85149",
  },
};

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;",
  );
}

const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Linear blend of two #rrggbb colours. */
function blend(from: string, to: string, t: number): string {
  const c = (hex: string, k: number) => parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  const mix = (k: number) =>
    Math.round(c(from, k) + (c(to, k) - c(from, k)) * Math.max(0, Math.min(1, t)))
      .toString(16)
      .padStart(2, "0");
  return `#${mix(0)}${mix(1)}${mix(2)}`;
}

function formatUs(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toFixed(2)} s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(2)} ms`;
  return `${us.toFixed(us >= 100 ? 0 : 1)} µs`;
}

interface Painter {
  /** Fill and a short metric text for model nodes (by index) or a group's members. */
  paint(indices: number[]): { fill?: string; metric?: string };
  legend: { colour: string; label: string }[];
  title: string;
}

function latencyPainter(graph: ModelGraph, overlays: GraphOverlays): Painter | undefined {
  const latency = overlays.latency;
  if (!latency) return undefined;
  let max = 0;
  for (const v of Object.values(latency.byNode)) max = Math.max(max, v.meanUsPerRun);
  const cold = "#fff5c2";
  const hot = "#d7301f";
  return {
    title: `latency per run (${latency.runsSummarized} runs, ${formatUs(latency.kernelTimePerRunUs)} of kernels per run)`,
    paint(indices) {
      let total = 0;
      let found = false;
      for (const i of indices) {
        const v = latency.byNode[graph.nodes[i]?.name ?? ""];
        if (v) {
          total += v.meanUsPerRun;
          found = true;
        }
      }
      if (!found) return {};
      const t = max > 0 ? Math.sqrt(Math.min(1, total / max)) : 0;
      return { fill: blend(cold, hot, t), metric: formatUs(total) };
    },
    legend: [
      { colour: cold, label: "little time" },
      { colour: blend(cold, hot, 0.5), label: `${formatUs(max / 4)} per run` },
      { colour: hot, label: `${formatUs(max)} per run (slowest node)` },
    ],
  };
}

function partitionsPainter(graph: ModelGraph, overlays: GraphOverlays): Painter | undefined {
  const partitions = overlays.partitions;
  if (!partitions) return undefined;
  const provider = "#74c476";
  const cpu = "#fd8d3c";
  return {
    title: `placement on ${partitions.provider}`,
    paint(indices) {
      let onProvider = 0;
      let onCpu = 0;
      for (const i of indices) {
        const p = partitions.byNode[graph.nodes[i]?.name ?? ""];
        if (p?.placement === "provider") onProvider++;
        else if (p?.placement === "cpu") onCpu++;
      }
      if (onProvider + onCpu === 0) return {};
      if (indices.length === 1)
        return { fill: onProvider ? provider : cpu, metric: onProvider ? partitions.provider : "cpu" };
      return { fill: blend(provider, cpu, onCpu / (onProvider + onCpu)), metric: `${onCpu} on cpu` };
    },
    legend: [
      { colour: provider, label: `on ${partitions.provider}` },
      { colour: cpu, label: "stays on the CPU" },
    ],
  };
}

function quantErrorPainter(graph: ModelGraph, overlays: GraphOverlays): Painter | undefined {
  const errors = overlays.quantError;
  if (!errors) return undefined;
  const good = "#74c476";
  const fair = "#fdd049";
  const bad = "#e34a33";
  return {
    title: `quantization error (SQNR over ${errors.samples} samples)`,
    paint(indices) {
      let worst: number | undefined;
      for (const i of indices) {
        const e = errors.byNode[graph.nodes[i]?.name ?? ""];
        if (!e) continue;
        const db = e.sqnrDb ?? (e.note === "identical" ? Infinity : -Infinity);
        worst = worst === undefined ? db : Math.min(worst, db);
      }
      if (worst === undefined) return {};
      const fill = worst >= 30 ? good : worst >= 20 ? fair : bad;
      return { fill, metric: Number.isFinite(worst) ? `${worst.toFixed(1)} dB` : worst > 0 ? "exact" : "no signal" };
    },
    legend: [
      { colour: good, label: "≥ 30 dB" },
      { colour: fair, label: "20–30 dB" },
      { colour: bad, label: "< 20 dB (or not finite)" },
    ],
  };
}

/** The name an edge end or a box carries: node name, scope, or tensor name. */
function endName(scene: Map<string, SceneNode>, graph: ModelGraph, id: string): string {
  const node = scene.get(id);
  if (!node) return id;
  if (node.kind === "node") return nodeLabel(graph, node.index);
  if (node.kind === "group") return id.slice(1);
  return graph.tensors[node.index]?.name ?? node.label;
}

export function sceneToSvg(scene: GraphScene, graph: ModelGraph, options: SvgOptions = {}): string {
  const colours = themes[options.theme ?? "light"];
  const overlays = options.overlays;
  const painter =
    overlays && options.overlay
      ? options.overlay === "latency"
        ? latencyPainter(graph, overlays)
        : options.overlay === "partitions"
          ? partitionsPainter(graph, overlays)
          : quantErrorPainter(graph, overlays)
      : undefined;
  const problemNodes = new Set(graph.problems.map((p) => p.node).filter((i): i is number => i !== undefined));
  const byId = new Map(scene.nodes.map((s) => [s.id, s]));
  const legendHeight = painter ? LEGEND_ROW * (painter.legend.length + 1) + PADDING : 0;
  const width = Math.max(scene.width, painter ? 320 : 0) + 2 * PADDING;
  const height = scene.height + 2 * PADDING + legendHeight;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" font-family="DejaVu Sans, Verdana, sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${colours.edge}"/></marker></defs>`,
    `<rect x="0" y="0" width="${n(width)}" height="${n(height)}" fill="${colours.background}"/>`,
    `<g transform="translate(${PADDING},${PADDING})">`,
  );
  for (const s of scene.nodes) {
    const name = escapeXml(endName(byId, graph, s.id));
    const cx = s.x + s.width / 2;
    let attr: string;
    let fill: string;
    let stroke: string;
    let dash = "";
    let metric: string | undefined;
    if (s.kind === "node") {
      attr = `data-node="${name}" data-index="${s.index}"`;
      const painted = painter?.paint([s.index]);
      fill = painted?.fill ?? colours.node;
      metric = painted?.metric;
      stroke = problemNodes.has(s.index) ? colours.problem : colours.nodeStroke;
    } else if (s.kind === "group") {
      attr = `data-group="${name}"`;
      const painted = !s.expanded ? painter?.paint(s.members ?? []) : undefined;
      fill = s.expanded ? "none" : (painted?.fill ?? colours.group);
      metric = painted?.metric;
      stroke = colours.groupStroke;
      if (s.expanded) dash = ` stroke-dasharray="4 3"`;
    } else {
      attr = `${s.kind === "input" ? "data-input" : "data-output"}="${name}"`;
      fill = colours.io;
      stroke = colours.nodeStroke;
    }
    out.push(
      `<g ${attr}>`,
      `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.width)}" height="${n(s.height)}" rx="4" fill="${fill}" stroke="${stroke}"${dash}/>`,
    );
    const top = s.kind === "group" && s.expanded;
    const labelY = top ? s.y + 14 : s.y + (s.sublabel ? s.height / 2 - 2 : s.height / 2 + 4);
    out.push(
      `<text x="${n(top ? s.x + 6 : cx)}" y="${n(labelY)}" font-size="12" fill="${colours.text}"${top ? "" : ' text-anchor="middle"'}>${escapeXml(s.label)}</text>`,
    );
    if (s.sublabel && !top)
      out.push(
        `<text x="${n(cx)}" y="${n(labelY + 13)}" font-size="10" fill="${colours.subtext}" text-anchor="middle">${escapeXml(s.sublabel)}</text>`,
      );
    if (metric)
      out.push(
        `<text x="${n(s.x + s.width - 3)}" y="${n(s.y - 3)}" font-size="9" fill="${colours.text}" text-anchor="end">${escapeXml(metric)}</text>`,
      );
    out.push(`</g>`);
  }
  for (const e of scene.edges) {
    const p = e.points;
    let d = `M${n(p[0])},${n(p[1])}`;
    for (let k = 2; k + 1 < p.length; k += 2) d += `L${n(p[k])},${n(p[k + 1])}`;
    const tensor = graph.tensors[e.tensor]?.name ?? "";
    out.push(
      `<path data-from="${escapeXml(endName(byId, graph, e.from))}" data-to="${escapeXml(endName(byId, graph, e.to))}" data-tensor="${escapeXml(tensor)}"${e.implicit ? ' data-implicit="true"' : ""} d="${d}" fill="none" stroke="${colours.edge}" stroke-width="${e.tensorCount > 1 ? 1.6 : 1}"${e.back ? ' stroke-dasharray="5 3"' : e.implicit ? ' stroke-dasharray="2 3"' : ""} marker-end="url(#arrow)"/>`,
    );
  }
  out.push("</g>");
  if (painter) {
    const y0 = scene.height + 2 * PADDING;
    out.push(
      `<g class="legend" transform="translate(${PADDING},${n(y0)})">`,
      `<text x="0" y="12" font-size="12" fill="${colours.text}">${escapeXml(painter.title)}</text>`,
    );
    painter.legend.forEach((row, k) => {
      const y = LEGEND_ROW * (k + 1);
      out.push(
        `<rect x="0" y="${y}" width="14" height="12" fill="${row.colour}" stroke="${colours.nodeStroke}"/>`,
        `<text x="20" y="${y + 10}" font-size="11" fill="${colours.text}">${escapeXml(row.label)}</text>`,
      );
    });
    out.push("</g>");
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
