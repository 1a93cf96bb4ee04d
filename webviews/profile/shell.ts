// The profile viewer's page skeleton: toolbar (tabs, fit and zoom, compare, follow live, table filter), the read
// notes, the reading progress, one view per tab, the side panel (details, range summary), the hover tooltip and the
// status line. Returns the elements the app fills.
import { button, el, section } from "../ui/dom";
import type { ProfileViewState } from "../protocol/profile";

export type Tab = NonNullable<ProfileViewState["tab"]>;
export const TABS: [Tab, string][] = [
  ["timeline", "Timeline"],
  ["ops", "Op types"],
  ["nodes", "Nodes"],
  ["iterations", "Iterations"],
  ["compare", "Compare"],
];

export interface ShellActions {
  tab(tab: Tab): void;
  fit(): void;
  zoom(factor: number): void;
  compare(): void;
  follow(): void;
  filter(text: string): void;
}

export interface Shell {
  root: HTMLElement;
  tabs: Map<Tab, HTMLButtonElement>;
  views: Map<Tab, HTMLElement>;
  viewport: HTMLElement;
  notes: HTMLElement;
  progress: HTMLElement;
  /** Above the table tabs (op types, nodes, iterations): the warm-up runs they leave out. */
  warmup: HTMLElement;
  details: HTMLElement;
  range: HTMLElement;
  tooltip: HTMLElement;
  status: HTMLElement;
  follow: HTMLButtonElement;
  filter: HTMLInputElement;
  title: HTMLElement;
}

export function buildShell(a: ShellActions): Shell {
  const tabs = new Map<Tab, HTMLButtonElement>();
  const tabBar = el("div", { class: "tabs", attrs: { role: "tablist" } });
  for (const [tab, label] of TABS) {
    const b = button(label, () => a.tab(tab), { class: "tab", id: `tab-${tab}` });
    b.setAttribute("role", "tab");
    tabs.set(tab, b);
    tabBar.append(b);
  }
  const follow = button("Follow live", a.follow, {
    icon: "debug-continue",
    title: "Follow the live run's newest kernels",
    id: "follow",
  });
  follow.hidden = true;
  const filter = el("input", {
    class: "filter",
    attrs: { id: "filter", type: "search", placeholder: "Filter op types and nodes", "aria-label": "Filter" },
  });
  filter.addEventListener("input", () => a.filter(filter.value));
  const title = el("span", { class: "title" });
  const toolbar = el(
    "header",
    { class: "toolbar", attrs: { role: "toolbar", "aria-label": "Profile" } },
    tabBar,
    el("span", { class: "sep" }),
    button("", a.fit, { icon: "screen-full", title: "Whole trace (F)", id: "fit" }),
    button("", () => a.zoom(1.25), { icon: "zoom-in", title: "Zoom in (W)", id: "zoom-in" }),
    button("", () => a.zoom(0.8), { icon: "zoom-out", title: "Zoom out (S)", id: "zoom-out" }),
    follow,
    button("Compare…", a.compare, { icon: "diff", title: "Compare with another profile", id: "compare" }),
    filter,
    title,
  );
  const viewport = el("div", { class: "timeline-viewport" });
  const views = new Map<Tab, HTMLElement>();
  for (const [tab] of TABS)
    views.set(tab, el("section", { class: "tab-view", attrs: { id: `${tab}-view`, role: "tabpanel" } }));
  views.get("timeline")!.append(viewport);
  const notes = el("div", { class: "notes", attrs: { id: "notes", role: "note" } });
  const progress = el("div", { class: "progress", attrs: { id: "progress", role: "status" } });
  const warmup = el("div", { class: "warmup-bar", attrs: { id: "warmup-bar" } });
  warmup.hidden = true;
  const details = section("Details", "details-panel");
  const range = section("Range", "range-panel");
  range.hidden = true;
  const tooltip = el("div", { class: "tooltip", attrs: { id: "tooltip", role: "tooltip" } });
  tooltip.hidden = true;
  const status = el("footer", { class: "status", attrs: { id: "status" } });
  const main = el(
    "div",
    { class: "main" },
    el("div", { class: "content" }, progress, warmup, ...views.values()),
    el("aside", { class: "side" }, details, range),
  );
  const root = el("div", { class: "profile-app" }, toolbar, notes, main, status, tooltip);
  return {
    root,
    tabs,
    views,
    viewport,
    notes,
    progress,
    warmup,
    details,
    range,
    tooltip,
    status,
    follow,
    filter,
    title,
  };
}
