// A sortable table (the op types, nodes and compare tabs): header cells sort on click (again: the other way), rows
// show at most ROW_LIMIT (with a note of how many more the filter holds), and a row click may select it.
import { el } from "../../ui/dom";
import { sortRows, type SortSpec } from "../model/table-sort";

export const ROW_LIMIT = 500;

export interface Column<T> {
  key: string;
  label: string;
  numeric?: boolean;
  text(row: T): string;
  /** A class for the cell (e.g. a speed-up that is a slowdown). */
  cls?(row: T): string | undefined;
}

export function sortTable<T extends object>(
  id: string,
  columns: Column<T>[],
  rows: readonly T[],
  sort: SortSpec,
  onSort: (column: string) => void,
  onRow?: (row: T) => void,
): HTMLElement {
  const sorted = sortRows(rows, sort);
  const head = el(
    "tr",
    {},
    ...columns.map((c) => {
      const th = el("th", {
        class: c.numeric ? "num" : "",
        attrs: {
          "data-column": c.key,
          "aria-sort": sort.column === c.key ? (sort.descending ? "descending" : "ascending") : "none",
        },
      });
      const b = el("button", {
        class: "btn sort",
        attrs: { type: "button" },
        text: c.label + (sort.column === c.key ? (sort.descending ? " ▾" : " ▴") : ""),
      });
      b.addEventListener("click", () => onSort(c.key));
      th.append(b);
      return th;
    }),
  );
  const body = el("tbody", {});
  for (const r of sorted.slice(0, ROW_LIMIT)) {
    const tr = el(
      "tr",
      {},
      ...columns.map((c) =>
        el("td", { class: [c.numeric ? "num" : "", c.cls?.(r) ?? ""].join(" ").trim(), text: c.text(r) }),
      ),
    );
    if (onRow) {
      tr.classList.add("clickable");
      tr.tabIndex = 0;
      tr.addEventListener("click", () => onRow(r));
      tr.addEventListener("keydown", (e) => e.key === "Enter" && onRow(r));
    }
    body.append(tr);
  }
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      { class: "stat-table", attrs: { id, "data-rows": String(sorted.length) } },
      el("thead", {}, head),
      body,
    ),
    sorted.length > ROW_LIMIT &&
      el("p", { class: "muted", text: `${sorted.length - ROW_LIMIT} more rows: filter to see them.` }),
  );
}
