// Overlays: pick a run (from the host's list of runs for this model), turn each overlay it has on or off, and read
// its legend: latency heat from 0 to the slowest node, SQNR from good to bad, the provider's partitions and CPU.
import type { GraphOverlays, OverlayKind } from "../../../common/graph/overlays";
import { formatUs } from "../../../common/units";
import type { RunChoice } from "../../protocol/graph";
import { HEAT_RAMP, legendStops, SQNR_BAD_DB, SQNR_GOOD_DB, SQNR_RAMP } from "../model/colour-scales";
import { availableOverlays, maxLatencyUs } from "../model/overlay-model";
import { el } from "../../ui/dom";

export const OVERLAY_LABELS: Record<OverlayKind, string> = {
  latency: "Latency",
  partitions: "Partitions",
  quantError: "Quantization error",
};

export interface OverlayPanelActions {
  pickRun(runDir: string): void;
  toggle(kind: OverlayKind, on: boolean): void;
}

export function overlayPanel(
  runs: readonly { runDir: string; runId: string; role: RunChoice["role"] }[],
  overlays: GraphOverlays | undefined,
  shown: ReadonlySet<OverlayKind>,
  palette: { partitions: readonly string[]; cpu: string },
  actions: OverlayPanelActions,
): HTMLElement {
  const select = el("select", {
    class: "run-select",
    attrs: { id: "run-select", "aria-label": "Run to take overlays from" },
  });
  select.append(
    el("option", {
      attrs: { value: "" },
      text: runs.length > 0 || overlays ? "Choose a run…" : "No runs of this model",
    }),
  );
  const choices = [...runs];
  if (overlays && !choices.some((r) => r.runDir === overlays.runDir))
    choices.unshift({ runDir: overlays.runDir, runId: overlays.runId, role: "other" });
  for (const r of choices) {
    const o = el("option", {
      attrs: { value: r.runDir },
      text: `${r.runId}${r.role === "other" ? "" : ` (${r.role})`}`,
    });
    if (overlays?.runDir === r.runDir) o.selected = true;
    select.append(o);
  }
  select.disabled = choices.length === 0;
  select.addEventListener("change", () => select.value && actions.pickRun(select.value));
  const toggles = availableOverlays(overlays).map((kind) => {
    const box = el("input", { attrs: { type: "checkbox", id: `overlay-${kind}`, "data-overlay": kind } });
    box.checked = shown.has(kind);
    box.addEventListener("change", () => actions.toggle(kind, box.checked));
    return el("label", { class: "toggle" }, box, el("span", { text: OVERLAY_LABELS[kind] }));
  });
  return el(
    "div",
    { class: "overlays" },
    select,
    el("div", { class: "toggles" }, ...toggles),
    ...[...shown].filter((k) => overlays?.[k]).map((k) => legend(k, overlays!, palette)),
    ...(overlays?.notes ?? []).map((n) => el("p", { class: "note", text: n })),
  );
}

function swatch(colour: string, cls: string): HTMLElement {
  // Colours come from a fixed set of classes (no inline style): the CSS maps each class to its colour.
  return el("span", { class: `swatch ${cls}`, attrs: { "data-colour": colour } });
}

function legend(
  kind: OverlayKind,
  o: GraphOverlays,
  palette: { partitions: readonly string[]; cpu: string },
): HTMLElement {
  const box = el("div", { class: "legend", attrs: { "data-legend": kind } }, el("h3", { text: OVERLAY_LABELS[kind] }));
  if (kind === "latency" && o.latency) {
    const max = maxLatencyUs(o);
    box.append(
      el("div", { class: "ramp" }, ...HEAT_RAMP.map((c, i) => swatch(c, `heat-${i}`))),
      el(
        "div",
        { class: "ramp-labels" },
        el("span", { text: "0" }),
        el("span", { text: `${formatUs(max)} (log scale)` }),
      ),
      el("p", {
        class: "note",
        text: `${o.latency.runsSummarized} runs, ${formatUs(o.latency.kernelTimePerRunUs)} kernel time per run`,
      }),
    );
  } else if (kind === "quantError" && o.quantError) {
    box.append(
      el(
        "div",
        { class: "ramp" },
        ...legendStops(SQNR_RAMP, SQNR_GOOD_DB, SQNR_BAD_DB).map((s, i) => swatch(s.colour, `sqnr-${i}`)),
      ),
      el(
        "div",
        { class: "ramp-labels" },
        el("span", { text: `≥ ${SQNR_GOOD_DB} dB` }),
        el("span", { text: `≤ ${SQNR_BAD_DB} dB SQNR` }),
      ),
      el("p", { class: "note", text: `${o.quantError.samples} samples` }),
    );
  } else if (kind === "partitions" && o.partitions) {
    const parts = new Set<number>();
    let cpu = 0;
    for (const p of Object.values(o.partitions.byNode)) {
      if (p.placement === "cpu") cpu++;
      else parts.add(p.partition ?? 0);
    }
    const items = [...parts]
      .sort((a, b) => a - b)
      .map((p) =>
        el(
          "li",
          {},
          swatch(palette.partitions[p % palette.partitions.length], `part-${p % palette.partitions.length}`),
          el("span", { text: `${o.partitions!.provider} partition ${p}` }),
        ),
      );
    if (cpu > 0)
      items.push(el("li", {}, swatch(palette.cpu, "part-cpu"), el("span", { text: `CPU fallback (${cpu} nodes)` })));
    box.append(el("ul", { class: "legend-items" }, ...items));
  }
  return box;
}
