// The properties of the selection: a node's details from the host (attributes, inputs and outputs with dtypes and
// shapes, inferred ones marked, weight statistics with a histogram, quantization parameters in float terms) plus what
// the viewer knows (nested bodies to open, overlay figures, diff changes, problems); a group's member count, op mix
// and overlay totals; a graph input's or output's tensor.
import type { GraphTensor } from "../../../common/graph/model-graph";
import type { NodeDetails, TensorDetails } from "../../../common/graph/node-details";
import { formatBytes, formatCount, formatNumber, formatPercent, formatUs } from "../../../common/units";
import type { GroupSummary } from "../model/overlay-model";
import { button, el, keyValueTable, type Child } from "../../ui/dom";
import { histogramSvg } from "./histogram";

export interface NodeExtras {
  /** Attributes holding nested bodies (If: then_branch, else_branch; Loop/Scan: body). */
  bodies: string[];
  /** Overlay figures for this node, label/value. */
  overlayLines: [string, string][];
  diff?: { kind: string; details: string[] };
  problems: string[];
}

export interface NodeActions {
  showKernels(): void;
  openBody(attribute: string): void;
}

export function shapeText(shape: GraphTensor["shape"]): string {
  if (!shape) return "?";
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

function tensorRows(list: TensorDetails[], title: string): Child {
  if (list.length === 0) return undefined;
  return el(
    "div",
    { class: "tensors" },
    el("h3", { text: title }),
    ...list.map((t) =>
      el(
        "div",
        { class: "tensor", attrs: { "data-tensor": t.name } },
        el(
          "div",
          { class: "tensor-head" },
          el("span", { class: "tensor-name", text: t.name }),
          el("span", { class: "kind", text: t.kind }),
        ),
        el(
          "div",
          { class: "tensor-type" },
          el("span", { class: "dtype", text: t.dtype ?? "?" }),
          " ",
          el("span", { class: "shape", text: shapeText(t.shape) }),
          t.shapeSource === "inferred" &&
            el("span", { class: "inferred", attrs: { title: "shape inferred by the engine" }, text: "inferred" }),
          t.sizeBytes !== undefined && el("span", { class: "size", text: ` ${formatBytes(t.sizeBytes)}` }),
        ),
        t.stats &&
          el(
            "div",
            { class: "weight-stats" },
            keyValueTable([
              ["elements", formatCount(t.stats.elements)],
              ["min / max", `${formatNumber(t.stats.min)} / ${formatNumber(t.stats.max)}`],
              ["mean / std", `${formatNumber(t.stats.mean)} / ${formatNumber(t.stats.std)}`],
              ["sparsity", formatPercent(t.stats.sparsity)],
              ...(t.stats.nonFinite > 0 ? [["non-finite", formatCount(t.stats.nonFinite)] as [string, string]] : []),
            ]),
            histogramSvg(t.stats),
          ),
        t.statsNote !== undefined && el("p", { class: "note", text: t.statsNote }),
      ),
    ),
  );
}

export function nodeProperties(d: NodeDetails, extras: NodeExtras, actions: NodeActions): HTMLElement {
  const op = d.domain ? `${d.domain}.${d.op}` : d.op;
  return el(
    "div",
    { class: "properties", attrs: { "data-node": d.name, "data-kind": "node" } },
    el("h3", { class: "prop-title", text: d.name || `${d.op}#${d.node}` }),
    el(
      "p",
      { class: "prop-op" },
      el("span", { class: "op", text: op }),
      d.opsetVersion !== undefined && el("span", { class: "note", text: ` opset ${d.opsetVersion}` }),
    ),
    el(
      "div",
      { class: "actions" },
      d.name !== "" &&
        button("Show kernels", actions.showKernels, {
          icon: "pulse",
          id: "show-kernels",
          title: "Show this node's kernels in the profile viewer",
        }),
      ...extras.bodies.map((b) =>
        button(`Open ${b}`, () => actions.openBody(b), { icon: "type-hierarchy-sub", class: "btn open-body" }),
      ),
    ),
    extras.problems.length > 0 &&
      el("ul", { class: "node-problems" }, ...extras.problems.map((p) => el("li", { text: p }))),
    extras.diff &&
      el(
        "div",
        { class: `diff-note diff-${extras.diff.kind}` },
        el("strong", { text: extras.diff.kind }),
        ...extras.diff.details.map((t) => el("div", { text: t })),
      ),
    extras.overlayLines.length > 0 && keyValueTable(extras.overlayLines, "kv overlay-figures"),
    d.docString && el("p", { class: "note", text: d.docString }),
    d.attributes.length > 0 &&
      el(
        "div",
        { class: "attributes" },
        el("h3", { text: "Attributes" }),
        el(
          "table",
          { class: "kv" },
          el(
            "tbody",
            {},
            ...d.attributes.map((a) =>
              el(
                "tr",
                { attrs: { "data-attribute": a.name } },
                el("th", { text: a.name }),
                el("td", { text: a.value }),
                el("td", { class: "kind", text: a.type }),
              ),
            ),
          ),
        ),
      ),
    tensorRows(d.inputs, "Inputs"),
    tensorRows(d.outputs, "Outputs"),
    d.quantization &&
      el(
        "div",
        { class: "quantization" },
        el("h3", { text: "Quantization" }),
        el("p", { class: "note", text: d.quantization.summary }),
        keyValueTable(d.quantization.lines.map((l) => [l.label, l.value])),
      ),
  );
}

export function groupProperties(label: string, scope: string, s: GroupSummary): HTMLElement {
  const rows: [string, string][] = [
    ["scope", scope],
    ["members", formatCount(s.members)],
  ];
  if (s.latencyUs !== undefined) rows.push(["kernel time", formatUs(s.latencyUs)]);
  if (s.worstSqnr)
    rows.push([
      "worst SQNR",
      `${s.worstSqnr.sqnrDb === null ? "not finite" : `${formatNumber(s.worstSqnr.sqnrDb)} dB`} (${s.worstSqnr.node})`,
    ]);
  for (const p of s.placements ?? []) rows.push([p.label, formatCount(p.count)]);
  return el(
    "div",
    { class: "properties", attrs: { "data-kind": "group", "data-scope": scope } },
    el("h3", { class: "prop-title", text: label }),
    keyValueTable(rows, "kv group-facts"),
    el("h3", { text: "Op mix" }),
    el(
      "table",
      { class: "kv op-mix" },
      el(
        "tbody",
        {},
        ...s.ops
          .slice(0, 20)
          .map((o) => el("tr", {}, el("th", { text: o.op }), el("td", { text: formatCount(o.count) }))),
      ),
    ),
  );
}

export function tensorProperties(t: GraphTensor, role: "input" | "output"): HTMLElement {
  return el(
    "div",
    { class: "properties", attrs: { "data-kind": role } },
    el("h3", { class: "prop-title", text: t.name }),
    keyValueTable([
      ["role", `graph ${role}`],
      ["dtype", t.dtype ?? "?"],
      ["shape", `${shapeText(t.shape)}${t.shapeSource === "inferred" ? " (inferred)" : ""}`],
    ]),
  );
}

export function messageProperties(text: string, cls = "note"): HTMLElement {
  return el("div", { class: "properties" }, el("p", { class: cls, text }));
}
