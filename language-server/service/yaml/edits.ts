// Text edits that add to a recipe's YAML and keep it valid and in its style: an entry into a map (block: a new
// line at the entries' indentation; flow: `, key: value` before the brace; missing parent maps created), an item
// into a sequence (block `- item` or flow `, item`). Values are rendered as YAML text here, quoted when needed.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { TextEdit } from "vscode-languageserver-types";
import { type Document, isCollection, isMap, isScalar, isSeq, parse, type YAMLMap } from "yaml";
import type { DataPath } from "../../../engine/recipe";
import { contentEnd, isNode, nodeAtPath, offsetRange, pairAtPath } from "../recipe/nodes";

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** What an edit needs: the YAML, its text, and the editor's document for positions. */
export interface EditTarget {
  doc: Document;
  text: string;
  textDocument: TextDocument;
}

/** A scalar as YAML text: plain when YAML reads it back as the same string and it is safe in flow context. */
export function scalarText(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  const safe = /^[A-Za-z0-9_./~][A-Za-z0-9_./~@+-]*$/.test(value);
  return safe && parse(value) === value ? value : JSON.stringify(value);
}

/** A value in flow style: `{ adb: {} }`, `[a, b]`. */
export function flowText(value: YamlValue): string {
  if (Array.isArray(value)) return `[${value.map(flowText).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length ? `{ ${entries.map(([k, v]) => `${scalarText(k)}: ${flowText(v)}`).join(", ")} }` : "{}";
  }
  return scalarText(value);
}

/**
 * `key: value` in block style at column `col` (maps nest by `unit`; lists and empty maps stay inline); maps
 * `flowDepth` levels down are written in flow style (0: the value itself).
 */
export function blockEntryText(key: string, value: YamlValue, col: number, unit: number, flowDepth = Infinity): string {
  const pad = " ".repeat(col);
  const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isObject || Object.keys(value).length === 0 || flowDepth <= 0)
    return `${pad}${scalarText(key)}: ${flowText(value)}`;
  const lines = Object.entries(value).map(([k, v]) => blockEntryText(k, v, col + unit, unit, flowDepth - 1));
  return `${pad}${scalarText(key)}:\n${lines.join("\n")}`;
}

/** The indentation step the document uses (the first nested block map's), 2 when it has none. */
export function indentUnit(target: EditTarget): number {
  const root = target.doc.contents;
  if (isMap(root)) {
    for (const pair of root.items) {
      const value = pair.value;
      if (isMap(value) && !value.flow && isNode(pair.key) && value.items[0] && isNode(value.items[0].key)) {
        const step = column(target, value.items[0].key.range![0]) - column(target, pair.key.range![0]);
        if (step > 0) return step;
      }
    }
  }
  return 2;
}

/** Adds `key: value` to the map at `path`, creating the missing maps on the way; undefined when `path` holds something else. */
export function insertIntoMap(target: EditTarget, path: DataPath, key: string, value: YamlValue): TextEdit | undefined {
  const { doc, text } = target;
  const unit = indentUnit(target);
  const node = path.length === 0 ? doc.contents : nodeAtPath(doc, path);
  if (isMap(node)) {
    if (node.flow) return insertIntoFlowMap(target, node, key, value);
    const first = node.items[0]?.key;
    if (!isNode(first)) return undefined;
    const col = column(target, first.range![0]);
    // Entries whose values are flow maps (`laptop: { local: {} }`) ask for a flow value; a new top-level
    // section stays block, with flow entries (`devices:` then `pixel8: { adb: {} }`).
    const flowValues = node.items.some((p) => isCollection(p.value) && p.value.flow);
    const flowDepth = flowValues ? (path.length === 0 ? 1 : 0) : Infinity;
    return insertLine(target, lineEnd(text, contentEnd(text, node)), blockEntryText(key, value, col, unit, flowDepth));
  }
  if (path.length === 0) {
    if (node !== null && node !== undefined && !(isScalar(node) && node.value === null)) return undefined;
    return insertLine(target, text.length, blockEntryText(key, value, 0, unit));
  }
  if (node === undefined)
    return insertIntoMap(target, path.slice(0, -1), String(path[path.length - 1]), { [key]: value });
  // The key is there with no value (`devices:`): the entry goes on the next line, one step in.
  const pair = pairAtPath(doc, path);
  if (!pair || !isEmptyValue(pair.value, text) || !pair.key.range) return undefined;
  const col = column(target, pair.key.range[0]) + unit;
  return insertLine(target, lineEnd(text, pair.key.range[1]), blockEntryText(key, value, col, unit));
}

/** Adds an item to the sequence at `path` (created, in flow style, when missing). */
export function appendToSeq(target: EditTarget, path: DataPath, item: string): TextEdit | undefined {
  const { doc, text, textDocument } = target;
  const node = nodeAtPath(doc, path);
  if (isSeq(node)) {
    const items = node.items.filter(isNode);
    const last = items[items.length - 1];
    if (node.flow) {
      if (!last)
        return { range: offsetRange(textDocument, node.range![0] + 1, node.range![0] + 1), newText: scalarText(item) };
      const end = contentEnd(text, last);
      return { range: offsetRange(textDocument, end, end), newText: `, ${scalarText(item)}` };
    }
    const dash = last ? text.lastIndexOf("-", last.range![0]) : -1;
    if (dash < 0) return undefined;
    return insertLine(
      target,
      lineEnd(text, contentEnd(text, node)),
      `${" ".repeat(column(target, dash))}- ${scalarText(item)}`,
    );
  }
  if (node === undefined) return insertIntoMap(target, path.slice(0, -1), String(path[path.length - 1]), [item]);
  const pair = pairAtPath(doc, path);
  if (!pair || !isEmptyValue(pair.value, text) || !pair.key.range) return undefined;
  const colon = text.indexOf(":", pair.key.range[1]);
  if (colon < 0) return undefined;
  return { range: offsetRange(textDocument, colon + 1, colon + 1), newText: ` [${scalarText(item)}]` };
}

function insertIntoFlowMap(
  target: EditTarget,
  node: YAMLMap<unknown, unknown>,
  key: string,
  value: YamlValue,
): TextEdit {
  const { text, textDocument } = target;
  const last = node.items[node.items.length - 1];
  const entry = `${scalarText(key)}: ${flowText(value)}`;
  if (!last) return { range: offsetRange(textDocument, node.range![0] + 1, node.range![0] + 1), newText: ` ${entry} ` };
  const lastNode = isNode(last.value) ? last.value : isNode(last.key) ? last.key : undefined;
  const end = lastNode ? contentEnd(text, lastNode) : node.range![0] + 1;
  return { range: offsetRange(textDocument, end, end), newText: `, ${entry}` };
}

/** Inserts `line` (one or more lines) as new lines after the line ending at `offset` (or at the end of the text). */
export function insertLine(target: EditTarget, offset: number, line: string): TextEdit {
  const { text, textDocument } = target;
  const atEnd = offset >= text.length;
  const needsNewline = atEnd && text.length > 0 && !text.endsWith("\n");
  const newText = atEnd ? `${needsNewline ? "\n" : ""}${line}\n` : `\n${line}`;
  return { range: offsetRange(textDocument, offset, offset), newText };
}

/** The end of the line that the character before `offset` is on (before its newline). */
function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  const end = newline < 0 ? text.length : newline;
  return end > 0 && text[end - 1] === "\r" ? end - 1 : end;
}

function column(target: EditTarget, offset: number): number {
  return target.textDocument.positionAt(offset).character;
}

function isEmptyValue(value: unknown, text: string): boolean {
  if (value === null || value === undefined) return true;
  if (!isScalar(value) || value.value !== null) return false;
  const r = value.range;
  return !r || text.slice(r[0], r[1]).trim() === "";
}
