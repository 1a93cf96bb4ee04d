// Diff mode's panel: the summary, the list of changes (added and changed nodes of this model, removed nodes of the
// other), and previous/next buttons that step through it; the app reveals each step's node.
import type { ChangeEntry } from "../model/diff-model";
import { button, el } from "../../ui/dom";

export interface DiffPanelActions {
  step(direction: 1 | -1): void;
  choose(index: number): void;
  close(): void;
}

export function diffPanel(
  beforePath: string,
  summary: string,
  entries: ChangeEntry[],
  current: number,
  actions: DiffPanelActions,
): HTMLElement {
  const list = el(
    "ol",
    { class: "change-list", attrs: { id: "change-list", "data-count": String(entries.length) } },
    ...entries.map((c, i) => {
      const li = el(
        "li",
        {
          class: `change change-${c.kind}${i === current ? " current" : ""}`,
          attrs: { tabindex: "0", "data-index": String(i), "data-kind": c.kind },
        },
        el("span", { class: "change-kind", text: c.kind }),
        el("span", { class: "change-label", text: c.label }),
        c.details.length > 0 && el("span", { class: "note", text: ` ${c.details.join("; ")}` }),
      );
      if (i === current) li.setAttribute("aria-current", "true");
      li.addEventListener("click", () => actions.choose(i));
      li.addEventListener("keydown", (e) => e.key === "Enter" && actions.choose(i));
      return li;
    }),
  );
  return el(
    "div",
    { class: "diff" },
    el("p", { class: "note", text: `Compared with ${beforePath}` }),
    el("p", { class: "diff-summary", text: summary }),
    el(
      "div",
      { class: "actions" },
      button("Previous", () => actions.step(-1), { icon: "arrow-up", id: "diff-previous", title: "Previous change" }),
      button("Next", () => actions.step(1), { icon: "arrow-down", id: "diff-next", title: "Next change" }),
      button("End diff", actions.close, { icon: "close", id: "diff-close" }),
      el("span", {
        class: "note diff-position",
        text: current >= 0 ? `${current + 1} of ${entries.length}` : `${entries.length} changes`,
      }),
    ),
    list,
  );
}
