// What every completion source shares: the request (text, cursor context, the word's range, the world) and the
// building of items that replace the word under the cursor, with YAML quoting and snippet escaping done right.
import {
  type Command,
  type CompletionItem,
  CompletionItemKind,
  InsertTextFormat,
  InsertTextMode,
  MarkupKind,
  type Range,
} from "vscode-languageserver-types";
import type { WorldHost } from "../../world/world-host";
import type { CursorContext } from "../cursor/types";

export interface CompletionRequest {
  text: string;
  cursor: CursorContext;
  /** The range of the word under the cursor: what items replace. */
  range: Range;
  world: WorldHost;
  /** The recipe's folder (undefined for untitled documents). */
  baseDir?: string;
  /** The LSP range of two offsets of the text. */
  rangeOf(start: number, end: number): Range;
  /** Set by a source whose answer is partial (a model still being read, a list cut to its best entries). */
  incomplete: boolean;
}

export interface ItemOptions {
  kind: CompletionItemKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** `newText` is a snippet (`$1`, `${1|a,b|}`). */
  snippet?: boolean;
  sortText?: string;
  filterText?: string;
  preselect?: boolean;
  /** Shown right after the label, dimmed (`×12`, `: float32 [1, 3]`). */
  labelDetail?: string;
  /** Shown at the right of the item. */
  labelDescription?: string;
  command?: Command;
}

/** Re-opens the suggestion list after inserting (for folders in paths). VS Code's command, ignored elsewhere. */
export const retriggerSuggest: Command = { title: "Suggest", command: "editor.action.triggerSuggest" };

/** An item replacing the word under the cursor with `newText`. */
export function completionItem(
  request: CompletionRequest,
  label: string,
  newText: string,
  options: ItemOptions,
): CompletionItem {
  const cursor = request.cursor;
  // Right after `key:` with no space, a value needs one.
  const text =
    cursor.kind === "value" && !cursor.quote && request.text[cursor.start - 1] === ":" ? ` ${newText}` : newText;
  const item: CompletionItem = {
    label,
    kind: options.kind,
    textEdit: { range: request.range, newText: text },
  };
  if (options.snippet) {
    item.insertTextFormat = InsertTextFormat.Snippet;
    // Snippets carry their own indentation (absolute columns): insert them as they are.
    if (text.includes("\n")) item.insertTextMode = InsertTextMode.asIs;
  }
  if (options.detail) item.detail = options.detail;
  if (options.documentation) item.documentation = { kind: MarkupKind.Markdown, value: options.documentation };
  if (options.sortText) item.sortText = options.sortText;
  if (options.filterText !== undefined) item.filterText = options.filterText;
  if (options.preselect) item.preselect = true;
  if (options.labelDetail || options.labelDescription) {
    item.labelDetails = {
      ...(options.labelDetail ? { detail: options.labelDetail } : {}),
      ...(options.labelDescription ? { description: options.labelDescription } : {}),
    };
  }
  if (options.command) item.command = options.command;
  return item;
}

/** A sort key keeping items in the order given: `0000`, `0001`, … after an optional group letter. */
export function rank(index: number, group = ""): string {
  return `${group}${String(index).padStart(4, "0")}`;
}

/** Scalars YAML would read as something other than a string. */
const NOT_A_STRING =
  /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/i;

/** `value` as a YAML string scalar: plain when that reads back the same, double-quoted otherwise. */
export function yamlString(value: string, flow: boolean): string {
  const plain =
    value.length > 0 &&
    value.trim() === value &&
    !/^[-?:,[\]{}#&*!|>'"%@`]/.test(value) &&
    !/: |:$| #|\t|\n/.test(value) &&
    !(flow && /[,[\]{}]/.test(value)) &&
    !NOT_A_STRING.test(value);
  // `-x`, `?x` and `:x` are plain when no space follows the indicator; keep the rule simple and quote them.
  return plain ? value : JSON.stringify(value);
}

/** The text to write for the string `value` at the cursor: inside the user's quotes, or quoted as YAML needs. */
export function scalarText(request: CompletionRequest, value: string): string {
  const quote = request.cursor.quote;
  if (quote === '"') return JSON.stringify(value).slice(1, -1);
  if (quote === "'") return value.replace(/'/g, "''");
  return yamlString(value, request.cursor.flow);
}

/** Escapes text for a snippet (outside placeholders). */
export function snippetText(text: string): string {
  return text.replace(/[\\$}]/g, "\\$&");
}

/** A snippet choice `${n|a,b|}` (escaped), or a placeholder `${n:a}` for a single option. */
export function snippetChoice(n: number, options: readonly string[]): string {
  if (options.length === 0) return `$${n}`;
  if (options.length === 1) return `\${${n}:${snippetText(options[0])}}`;
  return `\${${n}|${options.map((o) => o.replace(/[\\$}|,]/g, "\\$&")).join(",")}|}`;
}

export { CompletionItemKind };
