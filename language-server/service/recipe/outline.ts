// Names and values the recipe defines, read from the text without parsing the whole document (completion answers
// in a few milliseconds even while a 2,000-line recipe is being typed): the keys of a block map at a data path
// (`data`, `devices`), and the value at a path (`model.path`), parsing only that entry's lines when it is a
// collection or written in flow style.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { implicitLocalDevice } from "../../../engine/recipe";
import { indentAt, lineAt, nextLineStart, parseLine, type LineShape, restScalar } from "../yaml/lines";

interface Entry {
  name: string;
  lineStart: number;
  line: string;
  shape: LineShape;
  /** Column of the key. */
  col: number;
  /** Offset where the entry's block ends (the start of the next line at the key's column or less, or the end). */
  end: number;
}

/** The key entries of the block map whose lines are in [from, to) and whose keys are deeper than `parentCol`. */
function* blockEntries(text: string, from: number, to: number, parentCol: number): Generator<Entry> {
  let childCol = -1;
  let pending: Omit<Entry, "end"> | undefined;
  for (let s = from; s >= 0 && s < to; s = nextLineStart(text, s)) {
    const { indent, blank } = indentAt(text, s);
    if (blank) continue;
    if (indent <= parentCol) break;
    if (childCol >= 0 && indent > childCol) continue;
    const line = lineAt(text, s);
    if (/^(---|\.\.\.)(\s|$)/.test(line)) break;
    const shape = parseLine(line);
    const head = shape.tokens[0];
    if (!head) continue;
    if (childCol < 0) childCol = head.col;
    if (head.col < childCol) break;
    if (pending) yield { ...pending, end: s };
    pending = head.kind === "key" ? { name: head.name, lineStart: s, line, shape, col: head.col } : undefined;
  }
  if (pending) {
    // The last entry runs to the next line at its column or less.
    let end = to;
    for (let s = nextLineStart(text, pending.lineStart); s >= 0 && s < to; s = nextLineStart(text, s)) {
      const { indent, blank } = indentAt(text, s);
      if (!blank && indent <= pending.col) {
        end = s;
        break;
      }
    }
    yield { ...pending, end };
  }
}

/** The entry at `path` as far as block maps lead, and how many segments were found. */
function findEntry(text: string, path: readonly string[]): { entry?: Entry; depth: number } {
  let from = 0;
  let to = text.length;
  let col = -1;
  let found: Entry | undefined;
  let depth = 0;
  for (const segment of path) {
    let next: Entry | undefined;
    for (const entry of blockEntries(text, from, to, col)) {
      if (entry.name === segment) {
        next = entry;
        break;
      }
    }
    if (!next) break;
    found = next;
    depth++;
    if (found.shape.restCol < found.shape.commentCol) break; // a value on the key's line: no block below
    from = nextLineStart(text, found.lineStart);
    to = found.end;
    col = found.col;
    if (from < 0) break;
  }
  return { entry: found, depth };
}

/** Parses just an entry's lines and returns its value (the entry's text is indented: YAML accepts that). */
function parseEntry(text: string, entry: Entry): unknown {
  try {
    const doc = parseDocument(text.slice(entry.lineStart, entry.end), { prettyErrors: false });
    const data: unknown = doc.toJS({ maxAliasCount: 10 });
    return data && typeof data === "object" ? (data as Record<string, unknown>)[entry.name] : undefined;
  } catch {
    return undefined;
  }
}

function descend(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (!current || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The keys of the map at `path` (the root for []), in order. */
export function mapKeysAt(text: string, path: readonly string[]): string[] {
  if (path.length === 0) return [...blockEntries(text, 0, text.length, -1)].map((e) => e.name);
  const { entry, depth } = findEntry(text, path);
  if (!entry) return [];
  if (depth === path.length && entry.shape.restCol >= entry.shape.commentCol) {
    const from = nextLineStart(text, entry.lineStart);
    return from < 0 ? [] : [...blockEntries(text, from, entry.end, entry.col)].map((e) => e.name);
  }
  // Written in flow style somewhere along the path: parse that entry.
  const value = descend(parseEntry(text, entry), path.slice(depth));
  return value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
}

/** The value at `path`: a scalar read from its line, or a collection parsed from the entry's lines. */
export function valueAt(text: string, path: readonly string[]): unknown {
  const { entry, depth } = findEntry(text, path);
  if (!entry) return undefined;
  if (depth === path.length) {
    const shape = entry.shape;
    const rest = entry.line[shape.restCol];
    if (
      shape.restCol < shape.commentCol &&
      rest !== "{" &&
      rest !== "[" &&
      rest !== "|" &&
      rest !== ">" &&
      rest !== "&" &&
      rest !== "*"
    ) {
      return restScalar(entry.line, shape);
    }
  }
  return descend(parseEntry(text, entry), path.slice(depth));
}

/** The value at `path` when it is a non-empty string. */
export function stringAt(text: string, path: readonly string[]): string | undefined {
  const value = valueAt(text, path);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Names the recipe defines, for completions and choices in snippets (`run:\n  device: ${1|laptop,pixel8|}`). */
export interface RecipeNames {
  datasets: () => string[];
  /** The devices defined, then `local` when it is not (a recipe may always run on this machine). */
  devices: () => string[];
  definedDevices: () => string[];
}

/** The folder of a file: URI (paths in the recipe start there); undefined for untitled documents. */
export function recipeFolder(uri: string): string | undefined {
  return uri.startsWith("file:") ? dirname(fileURLToPath(uri)) : undefined;
}

/** Dataset and device names, read from the text when first asked for. */
export function recipeNames(text: string): RecipeNames {
  let datasets: string[] | undefined;
  let devices: string[] | undefined;
  const definedDevices = (): string[] => (devices ??= mapKeysAt(text, ["devices"]));
  return {
    datasets: () => (datasets ??= mapKeysAt(text, ["data"])),
    definedDevices,
    devices: () => {
      const defined = definedDevices();
      return defined.includes(implicitLocalDevice) ? defined : [...defined, implicitLocalDevice];
    },
  };
}
