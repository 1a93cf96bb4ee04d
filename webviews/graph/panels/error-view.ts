// The engine's read error, shown where the graph would be: code, message, file, byte offset, hint, and a button that
// asks the host to open the file as text.
import type { GraphOpenError } from "../../protocol/graph";
import { button, el, icon, keyValueTable } from "../../ui/dom";

export function errorView(error: GraphOpenError, openAsText: () => void): HTMLElement {
  const rows: [string, string][] = [["code", error.code]];
  if (error.file !== undefined) rows.push(["file", error.file]);
  if (error.offset !== undefined) rows.push(["byte offset", String(error.offset)]);
  return el(
    "div",
    { class: "open-error", attrs: { role: "alert" } },
    el("h1", {}, icon("error"), el("span", { text: "The model could not be read" })),
    el("p", { class: "error-message", text: error.message }),
    keyValueTable(rows, "kv error-facts"),
    error.hint !== undefined && el("p", { class: "hint", text: error.hint }),
    button("Open as Text", openAsText, { icon: "go-to-file", id: "open-as-text", class: "btn primary" }),
  );
}
