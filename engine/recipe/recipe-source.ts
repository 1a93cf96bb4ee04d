// The recipe's YAML with its source positions: finds the key and value nodes at a data path
// (["devices", "pixel8", "adb"]) and turns their offsets into 1-based line/column ranges.
import { type Document, isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, type Node } from "yaml";
import type { Range } from "./problem";
import type { YamlBlockCache } from "./yaml-blocks";
import { parseYaml } from "./yaml-parse";

export type PathSegment = string | number;
export type DataPath = readonly PathSegment[];

interface Located {
  /** The value node at the path, when the path exists and has a value. */
  value?: Node;
  /** The key of the pair holding that value (absent for the root and for sequence items). */
  key?: Node;
  /** How many segments of the path were found. */
  depth: number;
}

export class RecipeSource {
  readonly lines: LineCounter;
  readonly doc: Document;
  /** The data, when the block parse already made it (see yaml-blocks.ts); otherwise `doc.toJS()` makes it. */
  readonly blockData?: Record<string, unknown>;

  /** Parses `text`; with a block cache (one per open document), only the top-level sections that changed. */
  constructor(
    readonly text: string,
    blocks?: YamlBlockCache,
  ) {
    const parsed = blocks?.parse(text);
    if (parsed) {
      this.doc = parsed.doc;
      this.lines = parsed.lines;
      this.blockData = parsed.data;
    } else {
      this.lines = new LineCounter();
      this.doc = parseYaml(text, { lineCounter: this.lines });
    }
  }

  /** A 1-based range from 0-based offsets into the text. */
  rangeOfOffsets(start: number, end: number): Range {
    const s = this.lines.linePos(Math.max(0, Math.min(start, this.text.length)));
    const e = this.lines.linePos(Math.max(start, Math.min(end, this.text.length)));
    return { start: { line: s.line, column: s.col }, end: { line: e.line, column: e.col } };
  }

  /** The range of the value at `path`: the scalar itself, or the key of a multi-line block, or the nearest ancestor found. */
  valueRange(path: DataPath): Range {
    const at = this.locate(path);
    if (at.value && !isEmptyScalar(at.value)) {
      if (isCollection(at.value) && at.key && this.spansLines(at.value)) return this.nodeRange(at.key);
      return this.nodeRange(at.value);
    }
    if (at.key) return this.nodeRange(at.key);
    return this.fallback(path, at);
  }

  /** The range of the key naming the value at `path` (the value itself for sequence items; the document start for the root). */
  keyRange(path: DataPath): Range {
    const at = this.locate(path);
    if (at.key) return this.nodeRange(at.key);
    if (at.value && at.depth === path.length && path.length > 0) return this.valueRange(path);
    return this.fallback(path, at);
  }

  /** The range of a key inside the map at `path` (for unknown keys), or the map's own key when not found. */
  childKeyRange(path: DataPath, key: string): Range {
    return this.locate([...path, key]).depth === path.length + 1 ? this.keyRange([...path, key]) : this.keyRange(path);
  }

  private fallback(path: DataPath, at: Located): Range {
    if (at.depth < path.length && at.depth > 0) return this.keyRange(path.slice(0, at.depth));
    const contents = this.doc.contents;
    if (contents && isMap(contents) && contents.items.length > 0) {
      // The root: its first key, so a message about the whole recipe lands on a real line.
      const first = contents.items[0].key;
      if (first && typeof first === "object" && "range" in first) return this.nodeRange(first as Node);
    }
    return { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  }

  private nodeRange(node: Node): Range {
    const r = node.range;
    if (!r) return { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
    return this.rangeOfOffsets(r[0], r[1]);
  }

  private spansLines(node: Node): boolean {
    const r = node.range;
    return !!r && this.text.slice(r[0], r[1]).trimEnd().includes("\n");
  }

  private locate(path: DataPath): Located {
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    let depth = 0;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      let next: unknown;
      let nextKey: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
        if (!pair) break;
        next = pair.value;
        nextKey = pair.key as Node;
      } else if (isSeq(node) && typeof segment === "number") {
        if (segment >= node.items.length) break;
        next = node.items[segment];
        nextKey = undefined;
      } else break;
      node = next;
      key = nextKey;
      depth++;
    }
    if (depth < path.length) return { depth, key: depth > 0 ? key : undefined, value: undefined };
    return { depth, key, value: node && typeof node === "object" && "range" in node ? (node as Node) : undefined };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && (!node.range || node.range[0] === node.range[1]);
}
