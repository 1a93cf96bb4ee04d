// The cursor inside a flow collection (`{ shape: [1, 3], | }`, `ops: [Conv, |]`), possibly unclosed and spread
// over lines: a small scanner from the opening bracket that tracks maps, sequences, keys and item indexes up to the
// cursor, then reads on to the end of the cursor's collection for the names already there.
import type { PathSegment } from "../../../engine/recipe";
import type { CursorContext } from "./types";

interface Frame {
  kind: "map" | "seq";
  path: PathSegment[];
  /** Item index (sequences). */
  index: number;
  /** The key whose value is being written (maps, after the colon). */
  key?: string;
  afterColon: boolean;
  /** The current entry already has a collection as its value. */
  hadValue: boolean;
  keys: string[];
  items: string[];
}

/** How far past the cursor to read for names already present (characters). */
const READ_AHEAD = 20_000;

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";
const endsPlain = (c: string | undefined): boolean =>
  c === undefined || isSpace(c) || c === "," || c === "]" || c === "}";

/**
 * The context of `cursor` inside the flow collection opening at `open` (a `{` or `[`), whose value is at `basePath`.
 * Undefined when the collection closes before the cursor, or the cursor is in a comment.
 */
export function flowContext(
  text: string,
  open: number,
  cursor: number,
  basePath: PathSegment[],
  indent: number,
): CursorContext | undefined {
  const stack: Frame[] = [];
  let tokStart = -1;
  let tokEnd = -1;
  let quoted = false;
  let quote: '"' | "'" | undefined;
  let found: CursorContext | undefined;
  let foundFrame: Frame | undefined;
  const limit = Math.min(text.length, cursor + READ_AHEAD);

  const token = (): string | undefined =>
    tokStart < 0 ? undefined : text.slice(tokStart, Math.max(tokStart, tokEnd)).trim();
  const resetToken = (): void => {
    tokStart = -1;
    tokEnd = -1;
    quoted = false;
  };
  const endEntry = (frame: Frame): void => {
    const value = token();
    if (frame.kind === "map") {
      if (!frame.afterColon && value !== undefined && value !== "") frame.keys.push(value);
      frame.afterColon = false;
      frame.key = undefined;
    } else {
      if (value !== undefined && value !== "") frame.items.push(value);
      if (value !== undefined || frame.hadValue) frame.index++;
    }
    frame.hadValue = false;
    resetToken();
  };

  for (let i = open; i <= limit; i++) {
    if (i === cursor && !found) {
      const frame = stack[stack.length - 1];
      if (!frame) return undefined;
      found = capture(text, cursor, frame, tokStart, quote, indent);
      foundFrame = frame;
    }
    if (i >= text.length) break;
    const c = text[i];
    if (quote) {
      if (quote === '"' && c === "\\") i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else {
          quote = undefined;
          tokEnd = i;
        }
      }
      continue;
    }
    const frame = stack[stack.length - 1];
    if (c === "#" && (i === 0 || isSpace(text[i - 1]))) {
      const newline = text.indexOf("\n", i);
      const end = newline < 0 ? text.length : newline;
      if (!found && cursor > i && cursor <= end) return undefined;
      i = end - 1;
      continue;
    }
    if (c === "{" || c === "[") {
      const segment: PathSegment | undefined = !frame
        ? undefined
        : frame.kind === "seq"
          ? frame.index
          : (frame.key ?? "?");
      const path = segment === undefined ? basePath : [...(frame?.path ?? []), segment];
      if (frame) frame.hadValue = true;
      stack.push({
        kind: c === "{" ? "map" : "seq",
        path,
        index: 0,
        afterColon: false,
        hadValue: false,
        keys: [],
        items: [],
      });
      resetToken();
    } else if (c === "}" || c === "]") {
      if (!frame) break;
      endEntry(frame);
      stack.pop();
      if (frame === foundFrame) break;
      if (stack.length === 0) {
        if (!found) return undefined;
        break;
      }
    } else if (c === ",") {
      if (frame) endEntry(frame);
    } else if (c === ":" && frame?.kind === "map" && !frame.afterColon && (endsPlain(text[i + 1]) || quoted)) {
      frame.key = token() ?? "";
      frame.keys.push(frame.key);
      frame.afterColon = true;
      resetToken();
    } else if ((c === '"' || c === "'") && tokStart < 0) {
      quote = c;
      quoted = true;
      tokStart = i + 1;
      tokEnd = i + 1;
    } else if (!isSpace(c)) {
      if (tokStart < 0) tokStart = i;
      tokEnd = i + 1;
    }
  }
  if (!found || !foundFrame) return undefined;
  const word = found.word;
  if (found.kind === "key") found.siblingKeys = foundFrame.keys.filter((k) => k !== word);
  else if (foundFrame.kind === "seq") found.siblingItems = foundFrame.items.filter((k) => k !== word);
  return found;
}

/** The context at the cursor, given the innermost open collection and the token being written. */
function capture(
  text: string,
  cursor: number,
  frame: Frame,
  tokStart: number,
  quote: '"' | "'" | undefined,
  indent: number,
): CursorContext {
  const start = tokStart >= 0 ? tokStart : cursor;
  let end = cursor;
  if (quote) {
    while (end < text.length && text[end] !== quote && text[end] !== "\n") end++;
  } else {
    while (end < text.length && !",[]{}\n\r#".includes(text[end]) && !(text[end] === ":" && endsPlain(text[end + 1])))
      end++;
    while (end > cursor && isSpace(text[end - 1])) end--;
  }
  const word = text.slice(start, end).trim();
  const kind = frame.kind === "map" && !frame.afterColon ? "key" : "value";
  const path =
    frame.kind === "seq"
      ? [...frame.path, frame.index]
      : frame.afterColon
        ? [...frame.path, frame.key ?? ""]
        : frame.path;
  let after = quote ? end + 1 : end;
  while (after < text.length && (text[after] === " " || text[after] === "\t")) after++;
  return {
    kind,
    path,
    word,
    prefix: text.slice(start, cursor).trimStart(),
    start: Math.min(start, cursor),
    end: Math.max(end, cursor),
    quote,
    flow: true,
    indent,
    hasColon: kind === "key" && text[after] === ":",
    itemStart: false,
    siblingKeys: [],
    siblingItems: [],
  };
}
