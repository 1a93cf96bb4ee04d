// Search: a box in the toolbar and a results list (node label, op, what matched). Choosing a result (click, or Enter
// on the first / the focused one) hands it to the app, which reveals and selects the node.
import type { SearchIndex, SearchResult } from "../model/search-index";
import { el } from "../../ui/dom";

export const SEARCH_LIMIT = 200;

export class SearchPanel {
  readonly input: HTMLInputElement;
  readonly list: HTMLElement;
  private results: SearchResult[] = [];

  constructor(
    private index: SearchIndex | undefined,
    private readonly choose: (r: SearchResult) => void,
    private readonly changed: (results: SearchResult[]) => void,
  ) {
    this.input = el("input", {
      class: "search-input",
      attrs: {
        id: "search",
        type: "search",
        placeholder: "Search nodes, ops, tensors",
        "aria-label": "Search nodes, ops and tensors",
        "aria-controls": "search-results",
      },
    });
    this.list = el("ol", {
      class: "search-results",
      attrs: { id: "search-results", role: "listbox", "aria-label": "Search results" },
    });
    let timer = 0;
    this.input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => this.run(), 120);
    });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        clearTimeout(timer);
        this.run();
        if (this.results[0]) this.choose(this.results[0]);
      } else if (e.key === "ArrowDown") (this.list.querySelector("li") as HTMLElement | null)?.focus();
      else if (e.key === "Escape") this.clear();
      else return;
      e.preventDefault();
    });
  }

  setIndex(index: SearchIndex | undefined): void {
    this.index = index;
    this.run();
  }

  clear(): void {
    this.input.value = "";
    this.run();
  }

  private run(): void {
    this.results = this.index?.search(this.input.value, SEARCH_LIMIT) ?? [];
    this.list.replaceChildren(
      ...this.results.map((r, i) => {
        const li = el(
          "li",
          {
            class: "result",
            attrs: {
              tabindex: "0",
              role: "option",
              "data-index": String(i),
              "data-node": String(r.node),
              "data-depth": String(r.path.length),
            },
          },
          el("span", { class: "result-label", text: r.label }),
          el("span", { class: "op", text: r.op }),
          r.match === "tensor" && el("span", { class: "note", text: ` via ${r.text}` }),
          r.path.length > 0 && el("span", { class: "note", text: " (nested)" }),
        );
        li.addEventListener("click", () => this.choose(r));
        li.addEventListener("keydown", (e) => {
          if (e.key === "Enter") this.choose(r);
          else if (e.key === "ArrowDown") (li.nextElementSibling as HTMLElement | null)?.focus();
          else if (e.key === "ArrowUp") ((li.previousElementSibling as HTMLElement | null) ?? this.input).focus();
          else return;
          e.preventDefault();
        });
        return li;
      }),
    );
    const q = this.input.value.trim();
    this.list.dataset.count = String(this.results.length);
    this.list.hidden = q === "";
    if (q !== "" && this.results.length === 0) this.list.append(el("li", { class: "note", text: "No matches" }));
    this.changed(this.results);
  }
}
