// Reading one line of block YAML without a parser, so half-typed recipes still make sense: its indentation, the
// structure tokens at its start (`- ` dashes and a `key:`), where its value starts and where a comment starts.
// Used by cursor/context.ts (what is at the cursor) and recipe/outline.ts (names defined in the recipe).

/** A `- ` sequence dash, or a `key:` (plain or quoted), at a 0-based column of its line. */
export type LineToken = { kind: "dash"; col: number } | KeyToken;

export interface KeyToken {
  kind: "key";
  col: number;
  name: string;
  /** Column just after the key's text (the closing quote's column for quoted keys). */
  nameEnd: number;
  /** Column of the `:`. */
  colonCol: number;
  quote?: '"' | "'";
}

export interface LineShape {
  /** Column of the first character that is not a space; the line's length when blank. */
  indent: number;
  /** True for blank lines and comment-only lines. */
  blank: boolean;
  /** Dashes and at most one key, in column order. */
  tokens: LineToken[];
  /** Column where what follows the tokens starts (a value, a scalar, a flow collection); the comment or end column when nothing does. */
  restCol: number;
  /** Column of the `#` that starts a comment, or the line's length. */
  commentCol: number;
}

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t";

/** The text of the line starting at `start` (without its newline or a trailing \r). */
export function lineAt(text: string, start: number): string {
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  return text.slice(start, end);
}

/**
 * Indentation of the line at `start` (spaces), and whether it is blank (empty, spaces, or a comment), without
 * reading the rest of the line: scans skip lines deeper than the block they look at with this.
 */
export function indentAt(text: string, start: number): { indent: number; blank: boolean } {
  let i = start;
  while (i < text.length && text.charCodeAt(i) === 32) i++;
  const c = text.charCodeAt(i);
  return { indent: i - start, blank: i >= text.length || c === 10 || c === 13 || c === 35 };
}

/** Offset of the start of the line holding `offset`. */
export function lineStartOf(text: string, offset: number): number {
  return offset <= 0 ? 0 : text.lastIndexOf("\n", offset - 1) + 1;
}

/** Start of the line before the one starting at `start`, or -1 at the first line. */
export function previousLineStart(text: string, start: number): number {
  if (start <= 0) return -1;
  // (lastIndexOf clamps a negative position to 0, which would find the newline at 0 again.)
  if (start < 2) return 0;
  return text.lastIndexOf("\n", start - 2) + 1;
}

/** Start of the line after the one starting at `start`, or -1 at the last line. */
export function nextLineStart(text: string, start: number): number {
  const newline = text.indexOf("\n", start);
  return newline < 0 ? -1 : newline + 1;
}

/** Column of the `#` starting a comment (outside quotes), or the line's length. */
function commentColumn(line: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (quote === '"' && c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "#" && (i === from || isSpace(line[i - 1]))) return i;
    // A quote opens a quoted scalar only where a scalar can start.
    if ((c === '"' || c === "'") && (i === from || " \t[{,:".includes(line[i - 1]))) quote = c;
  }
  return line.length;
}

/** End column of a quoted scalar starting at `start` (the closing quote), or -1 when it does not close on this line. */
export function closingQuote(line: string, start: number): number {
  const quote = line[start];
  for (let i = start + 1; i < line.length; i++) {
    if (quote === '"' && line[i] === "\\") i++;
    else if (line[i] === quote) {
      if (quote === "'" && line[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

export function parseLine(line: string): LineShape {
  let i = 0;
  while (i < line.length && isSpace(line[i])) i++;
  const indent = i;
  const commentCol = commentColumn(line, i);
  const tokens: LineToken[] = [];
  if (i >= commentCol) return { indent, blank: true, tokens, restCol: commentCol, commentCol };
  // Dashes: `- `, or a lone `-` at the end.
  while (i < commentCol && line[i] === "-" && (i + 1 >= line.length || isSpace(line[i + 1]))) {
    tokens.push({ kind: "dash", col: i });
    i++;
    while (i < commentCol && isSpace(line[i])) i++;
  }
  if (i < commentCol) {
    const key = keyAt(line, i, commentCol);
    if (key) {
      tokens.push(key);
      i = key.colonCol + 1;
      while (i < commentCol && isSpace(line[i])) i++;
    }
  }
  return { indent, blank: false, tokens, restCol: Math.min(i, commentCol), commentCol };
}

/** A `key:` starting at column `i` (a colon followed by a space or the end), if there is one. */
function keyAt(line: string, i: number, commentCol: number): KeyToken | undefined {
  const c = line[i];
  if (c === '"' || c === "'") {
    const close = closingQuote(line, i);
    if (close < 0) return undefined;
    let j = close + 1;
    while (j < commentCol && isSpace(line[j])) j++;
    if (line[j] !== ":" || (j + 1 < line.length && !isSpace(line[j + 1]))) return undefined;
    return { kind: "key", col: i, name: line.slice(i + 1, close), nameEnd: close, colonCol: j, quote: c };
  }
  if ("{[|>&*!%@`".includes(c)) return undefined;
  for (let j = i; j < commentCol; j++) {
    if (line[j] === ":" && (j + 1 >= line.length || isSpace(line[j + 1]))) {
      let end = j;
      while (end > i && isSpace(line[end - 1])) end--;
      if (end === i) return undefined;
      return { kind: "key", col: i, name: line.slice(i, end), nameEnd: end, colonCol: j };
    }
  }
  return undefined;
}

/** The scalar written from `restCol` (comment and surrounding spaces removed, quotes taken off). */
export function restScalar(line: string, shape: LineShape): string {
  const raw = line.slice(shape.restCol, shape.commentCol).trim();
  if (raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw[raw.length - 1] === raw[0]) return raw.slice(1, -1);
  return raw;
}

/**
 * The first flow bracket of the line left open at its end (its column), scanning from `from`; -1 when every
 * bracket opened there also closes there. Closing brackets of collections opened on earlier lines are ignored.
 */
export function unclosedFlowOpen(line: string, from: number, to = line.length): number {
  const open: number[] = [];
  let quote: string | undefined;
  for (let i = from; i < to; i++) {
    const c = line[i];
    if (quote) {
      if (quote === '"' && c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "#" && (i === from || isSpace(line[i - 1]))) break;
    if ((c === '"' || c === "'") && (i === from || " \t[{,:".includes(line[i - 1]))) quote = c;
    else if (c === "{" || c === "[") open.push(i);
    else if (c === "}" || c === "]") open.pop();
  }
  return open.length > 0 ? open[0] : -1;
}
