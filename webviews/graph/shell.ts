// The graph viewer's page skeleton: toolbar (fit, zoom, expand/collapse all, direction, compare, search), the
// breadcrumb, the canvas area, the side panel's sections and the status line. Returns the elements the app fills.
import { button, el, section } from "../ui/dom";

export interface ShellActions {
  fit(): void;
  zoom(factor: number): void;
  expandAll(): void;
  collapseAll(): void;
  toggleDirection(): void;
  compare(): void;
}

export interface Shell {
  root: HTMLElement;
  toolbar: HTMLElement;
  searchSlot: HTMLElement;
  crumbs: HTMLElement;
  viewport: HTMLElement;
  busy: HTMLElement;
  /** Over the canvas: what a reveal could not show (a node the model does not have). */
  notice: HTMLElement;
  results: HTMLElement;
  properties: HTMLElement;
  overlays: HTMLElement;
  diff: HTMLElement;
  problems: HTMLElement;
  status: HTMLElement;
  directionButton: HTMLButtonElement;
}

export function buildShell(actions: ShellActions): Shell {
  const directionButton = button("", actions.toggleDirection, {
    icon: "arrow-swap",
    title: "Layout direction",
    id: "direction",
  });
  const searchSlot = el("div", { class: "search" });
  const toolbar = el(
    "header",
    { class: "toolbar", attrs: { role: "toolbar", "aria-label": "Graph" } },
    button("", actions.fit, { icon: "screen-full", title: "Fit (F)", id: "fit" }),
    button("", () => actions.zoom(1.25), { icon: "zoom-in", title: "Zoom in (+)", id: "zoom-in" }),
    button("", () => actions.zoom(0.8), { icon: "zoom-out", title: "Zoom out (-)", id: "zoom-out" }),
    el("span", { class: "sep" }),
    button("", actions.expandAll, { icon: "expand-all", title: "Open all groups", id: "expand-all" }),
    button("", actions.collapseAll, { icon: "collapse-all", title: "Close all groups", id: "collapse-all" }),
    directionButton,
    button("Compare…", actions.compare, { icon: "diff", title: "Compare with another model", id: "compare" }),
    searchSlot,
  );
  const crumbs = el("div", { class: "crumbs" });
  const busy = el("div", { class: "busy", attrs: { role: "status" }, text: "Laying out…" });
  const notice = el("div", { class: "notice", attrs: { id: "reveal-notice", role: "alert" } });
  notice.hidden = true;
  const viewport = el("div", { class: "viewport" }, busy, notice);
  const results = section("Search results", "results-panel");
  const properties = section("Properties", "properties-panel");
  const overlays = section("Overlays", "overlays-panel");
  const diff = section("Diff", "diff-panel");
  const problems = section("Problems", "problems-panel");
  diff.hidden = true;
  problems.hidden = true;
  results.hidden = true;
  const status = el("footer", { class: "status", attrs: { id: "status" } });
  const side = el("aside", { class: "side" }, results, diff, problems, properties, overlays);
  const root = el("div", { class: "graph-app" }, toolbar, crumbs, el("div", { class: "main" }, viewport, side), status);
  return {
    root,
    toolbar,
    searchSlot,
    crumbs,
    viewport,
    busy,
    notice,
    results,
    properties,
    overlays,
    diff,
    problems,
    status,
    directionButton,
  };
}

/** Replaces a section's body (everything after its heading). */
export function fill(sectionEl: HTMLElement, ...content: Node[]): void {
  const heading = sectionEl.firstElementChild;
  sectionEl.replaceChildren(...(heading ? [heading] : []), ...content);
}
