// What is at a position of a recipe: the data path, key or value, the word typed so far and its range, and the
// names already around it. Works on the text, line by line from the cursor (no parse), so it is fast and holds up
// on YAML that is half typed: `run:\n  dev|`, `  device: |`, an empty line inside a map, `{ shape: [1, 3], | }`,
// `ops: [Conv, |]`, `- |`. Only the lines of the cursor's enclosing blocks are read.
import type { PathSegment } from "../../../engine/recipe";
import type { CursorContext } from "./types";
import { flowContext } from "./flow-collection";
import {
  closingQuote,
  indentAt,
  lineAt,
  type LineShape,
  lineStartOf,
  type LineToken,
  nextLineStart,
  parseLine,
  previousLineStart,
  unclosedFlowOpen,
} from "../yaml/lines";

export type { CursorContext } from "./types";

/** How many lines above the cursor a multi-line flow collection may have opened. */
const FLOW_LOOKBACK_LINES = 30;

/** The context at `offset` (0-based, in `text`); undefined in comments, block scalars and after document markers. */
export function cursorContext(text: string, offset: number): CursorContext | undefined {
  const cursor = Math.max(0, Math.min(offset, text.length));
  const lineStart = lineStartOf(text, cursor);
  const line = lineAt(text, lineStart);
  const col = cursor - lineStart;
  if (col > line.length) return undefined;
  const shape = parseLine(line);
  if (col > shape.commentCol) return undefined;
  if (/^(---|\.\.\.)(\s|$)/.test(line)) return undefined;
  const cursorIndent = shape.blank ? Math.min(col, shape.indent) : shape.indent;
  return enclosingFlow(text, lineStart, cursorIndent, cursor) ?? blockContext(text, lineStart, line, shape, col);
}

/** The cursor on a line of block YAML. */
function blockContext(
  text: string,
  lineStart: number,
  line: string,
  shape: LineShape,
  col: number,
): CursorContext | undefined {
  const cursor = lineStart + col;
  // The structure tokens before the cursor, and a key the cursor is on.
  const own: LineToken[] = [];
  for (const token of shape.tokens) {
    if (token.kind === "dash") {
      if (col < token.col + 2) break;
      own.push(token);
      continue;
    }
    if (col <= token.nameEnd) {
      if (col < token.col) break;
      // On a key's name: the key of the map the preceding tokens lead to.
      const { path, inBlockScalar } = blockPath(text, lineStart, own, token.col);
      if (inBlockScalar) return undefined;
      const start = lineStart + token.col + (token.quote ? 1 : 0);
      return keyContext(
        path,
        token.name,
        text.slice(start, cursor),
        start,
        lineStart + token.nameEnd,
        token.col,
        true,
        token.quote,
        text,
        lineStart,
        own,
      );
    }
    own.push(token);
  }
  const entryCol = own.length > 0 ? own[0].col : shape.blank ? col : shape.indent;
  const { path, inBlockScalar } = blockPath(text, lineStart, own, entryCol);
  if (inBlockScalar) return undefined;
  const last = own[own.length - 1];
  const restCol = last
    ? Math.max(shape.restCol, last.kind === "dash" ? last.col + 2 : last.colonCol + 1)
    : shape.indent;

  // A flow collection as the value or item.
  const restChar = line[restCol];
  if ((restChar === "{" || restChar === "[") && col > restCol) {
    return flowContext(text, lineStart + restCol, cursor, path, restCol);
  }
  if ((restChar === "|" || restChar === ">") && last?.kind === "key") return undefined;

  // The scalar (or key being typed) after the tokens.
  const scalar = scalarAt(line, restCol, shape.commentCol, col);
  const start = lineStart + scalar.start;
  const end = lineStart + scalar.end;
  const prefix = text.slice(start, Math.max(start, cursor));
  if (last?.kind === "key") {
    return {
      kind: "value",
      path,
      word: scalar.word,
      prefix,
      start,
      end,
      quote: scalar.quote,
      flow: false,
      indent: last.col,
      hasColon: false,
      itemStart: false,
      siblingKeys: [],
      siblingItems: [],
    };
  }
  if (last?.kind === "dash") {
    const siblings = scanSiblings(text, lineStart, last.col, own.length > 1, "items");
    return {
      kind: "value",
      path,
      word: scalar.word,
      prefix,
      start,
      end,
      quote: scalar.quote,
      flow: false,
      indent: last.col + 2,
      hasColon: false,
      itemStart: true,
      siblingKeys: [],
      siblingItems: siblings.items.filter((item) => item !== scalar.word),
    };
  }
  return keyContext(path, scalar.word, prefix, start, end, entryCol, false, scalar.quote, text, lineStart, own);
}

function keyContext(
  path: PathSegment[],
  word: string,
  prefix: string,
  start: number,
  end: number,
  keyCol: number,
  hasColon: boolean,
  quote: '"' | "'" | undefined,
  text: string,
  lineStart: number,
  own: LineToken[],
): CursorContext {
  const siblings = scanSiblings(text, lineStart, keyCol, own.length > 0, "keys");
  return {
    kind: "key",
    path,
    word,
    prefix,
    start,
    end: Math.max(end, start + prefix.length),
    quote,
    flow: false,
    indent: keyCol,
    hasColon,
    itemStart: false,
    siblingKeys: siblings.keys.filter((k) => k !== word),
    siblingItems: [],
  };
}

/** The plain or quoted scalar written from `from` on the line, around column `col`. */
function scalarAt(
  line: string,
  from: number,
  commentCol: number,
  col: number,
): { word: string; start: number; end: number; quote?: '"' | "'" } {
  const c = line[from];
  if ((c === '"' || c === "'") && col > from) {
    const close = closingQuote(line, from);
    const end = close < 0 ? line.length : close;
    if (close < 0 || col <= close) return { word: line.slice(from + 1, end), start: from + 1, end, quote: c };
  }
  let end = commentCol;
  while (end > from && (line[end - 1] === " " || line[end - 1] === "\t")) end--;
  if (from >= end || col < from) return { word: "", start: col, end: col };
  return { word: line.slice(from, end), start: from, end: Math.max(end, col) };
}

/**
 * The data path of a line's entry: the keys and sequence items of the blocks enclosing column `entryCol`, found by
 * reading up to the lines of smaller indentation, then the line's own tokens before the cursor.
 */
function blockPath(
  text: string,
  lineStart: number,
  own: LineToken[],
  entryCol: number,
): { path: PathSegment[]; inBlockScalar: boolean } {
  const reversed: PathSegment[] = [];
  let col = entryCol;
  let counting = own.length > 0 && own[0].kind === "dash";
  let count = 0;
  let first = true;
  let inBlockScalar = false;
  for (
    let start = previousLineStart(text, lineStart);
    start >= 0 && (col > 0 || counting);
    start = previousLineStart(text, start)
  ) {
    const quick = indentAt(text, start);
    if (quick.blank || quick.indent > col) continue;
    if (counting && quick.indent === col && plainItemAt(text, start + col) !== undefined) {
      count++;
      continue;
    }
    const line = lineAt(text, start);
    const shape = parseLine(line);
    if (shape.blank || shape.tokens.length === 0) continue;
    const head = shape.tokens[0];
    if (head.col > col) continue;
    if (head.col === col) {
      if (counting && head.kind === "dash") count++;
      else if (counting && head.kind === "key") {
        // An indentless sequence: `key:` then `- item` at the same column.
        reversed.push(count, head.name);
        counting = false;
        first = false;
      }
      continue;
    }
    // An enclosing line: its tokens left of `col` hold the cursor's entry (those at `col` are siblings).
    for (const token of shape.tokens) if (counting && token.kind === "dash" && token.col === col) count++;
    if (counting) {
      reversed.push(count);
      counting = false;
    }
    const enclosing = shape.tokens.filter((t) => t.col < col);
    const innermost = enclosing[enclosing.length - 1];
    if (first && innermost.kind === "key" && /^[|>]/.test(line.slice(innermost.colonCol + 1).trimStart()))
      inBlockScalar = true;
    first = false;
    for (let k = enclosing.length - 1; k >= 1; k--) {
      const token = enclosing[k];
      reversed.push(token.kind === "key" ? token.name : 0);
    }
    if (head.kind === "key") reversed.push(head.name);
    else {
      counting = true;
      count = 0;
    }
    col = head.col;
  }
  if (counting) reversed.push(count);
  const path = reversed.reverse();
  if (own.length > 0 && own[0].kind === "key") path.push(own[0].name);
  for (let k = 1; k < own.length; k++) {
    const token = own[k];
    path.push(token.kind === "key" ? token.name : 0);
  }
  return { path, inBlockScalar };
}

/**
 * Keys and scalar items already written at column `col` in the cursor's block, above and below the cursor line.
 * `startsHere`: the block starts on the cursor line (after a dash), so nothing above belongs to it.
 */
function scanSiblings(
  text: string,
  lineStart: number,
  col: number,
  startsHere: boolean,
  mode: "keys" | "items",
): { keys: string[]; items: string[] } {
  const keys: string[] = [];
  const items: string[] = [];
  const take = (line: string, shape: LineShape, token: LineToken): void => {
    if (token.kind === "key") keys.push(token.name);
    else if (token === shape.tokens[shape.tokens.length - 1]) {
      const item = line
        .slice(shape.restCol, shape.commentCol)
        .trim()
        .replace(/^(["'])(.*)\1$/, "$2");
      if (item) items.push(item);
    }
  };
  const visit = (start: number): boolean => {
    const quick = indentAt(text, start);
    if (quick.blank || quick.indent > col) return true;
    if (quick.indent === col && mode === "items") {
      // The common `- name` line without a parse (lists of thousands of node names).
      const item = plainItemAt(text, start + col);
      if (item !== undefined) {
        if (item) items.push(item);
        return true;
      }
    }
    const line = lineAt(text, start);
    if (/^(---|\.\.\.)(\s|$)/.test(line)) return false;
    const shape = parseLine(line);
    if (shape.blank || shape.tokens.length === 0) return true;
    const head = shape.tokens[0];
    if (head.col > col) return true;
    if (head.col === col) {
      // At the same column: keys of the map, or items of the sequence; a key ends an indentless sequence.
      if (mode === "items" && head.kind === "key") return false;
      take(line, shape, head);
      return true;
    }
    // An enclosing line: a token of it at `col` is this block's first entry.
    const atCol = shape.tokens.find((t) => t.col === col);
    if (atCol) take(line, shape, atCol);
    return false;
  };
  if (!startsHere) for (let s = previousLineStart(text, lineStart); s >= 0 && visit(s); s = previousLineStart(text, s));
  for (let s = nextLineStart(text, lineStart); s >= 0; s = nextLineStart(text, s)) {
    const quick = indentAt(text, s);
    if (quick.blank || quick.indent > col) continue;
    if (quick.indent < col && parseLine(lineAt(text, s)).tokens.length > 0) break;
    if (!visit(s)) break;
  }
  return { keys, items };
}

/**
 * The item of a simple `- item` line (dash at `at`): a plain scalar without `:`, `#`, quotes or brackets; "" for a
 * lone dash; undefined when the line needs a real parse.
 */
function plainItemAt(text: string, at: number): string | undefined {
  if (text.charCodeAt(at) !== 45) return undefined; // "-"
  let end = text.indexOf("\n", at);
  if (end < 0) end = text.length;
  const next = text.charCodeAt(at + 1);
  if (at + 1 < end && next !== 32 && next !== 13) return undefined;
  const rest = text.slice(at + 1, end).trim();
  if (rest === "") return "";
  if (/[:#'"[\]{}]|^[-?|>&*!%@`]/.test(rest)) return undefined;
  return rest;
}

/** A flow collection opened on a line above and still open at the cursor (`input: {\n  shape: [1, 3],\n  |`). */
function enclosingFlow(
  text: string,
  lineStart: number,
  cursorIndent: number,
  cursor: number,
): CursorContext | undefined {
  let minIndent = cursorIndent;
  let start = previousLineStart(text, lineStart);
  for (let n = 0; n < FLOW_LOOKBACK_LINES && start >= 0 && minIndent > 0; n++, start = previousLineStart(text, start)) {
    const line = lineAt(text, start);
    const shape = parseLine(line);
    if (shape.blank) continue;
    if (shape.indent < minIndent) {
      const open = unclosedFlowOpen(line, shape.indent, shape.commentCol);
      if (open >= 0) {
        const shapeAtOpen = parseLine(line.slice(0, open));
        const own = shapeAtOpen.tokens;
        const { path, inBlockScalar } = blockPath(text, start, own, own.length > 0 ? own[0].col : shape.indent);
        if (inBlockScalar) return undefined;
        const context = flowContext(text, start + open, cursor, path, open);
        if (context) return context;
      }
      minIndent = shape.indent;
    }
  }
  return undefined;
}
