// The selected (or hovered) slice's details: name, op type, provider, start and duration, its run, then the shapes
// and sizes from its `args` once the host has sent the event's text; and, for a kernel, "Reveal in graph".
import { formatUs } from "../../../common/units";
import { SLICE_KIND } from "../../../common/trace/trace-model";
import { button, el, keyValueTable } from "../../ui/dom";
import type { SliceInfo } from "../model/trace-views";

const KIND_NAMES = ["slice", "session", "model_run", "kernel"];

export function sliceRows(info: SliceInfo, originUs: number): [string, string][] {
  const rows: [string, string][] = [["kind", KIND_NAMES[info.kind] ?? "slice"]];
  if (info.opType !== undefined) rows.push(["op", info.opType]);
  if (info.provider !== undefined) rows.push(["provider", info.provider]);
  rows.push(["start", formatUs(info.startUs - originUs)], ["duration", formatUs(info.durationUs)]);
  if (info.run >= 0) rows.push(["run", String(info.run)]);
  if (info.category !== undefined && info.kind === SLICE_KIND.other) rows.push(["category", info.category]);
  return rows;
}

export function detailsView(
  info: SliceInfo,
  originUs: number,
  args: [string, string][] | undefined,
  reveal?: () => void,
): HTMLElement {
  return el(
    "div",
    { class: "details", attrs: { "data-slice": String(info.index), "data-name": info.name } },
    el("h3", { class: "slice-name", text: info.name }),
    keyValueTable(sliceRows(info, originUs)),
    args === undefined
      ? el("p", { class: "muted args-pending", text: info.byteOffset >= 0 ? "Reading args…" : "No args (live)" })
      : keyValueTable(args, "kv args"),
    info.kind === SLICE_KIND.kernel &&
      reveal &&
      button("Reveal in graph", reveal, { icon: "type-hierarchy", id: "reveal-node" }),
  );
}
