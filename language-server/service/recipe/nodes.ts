// The parsed recipe's YAML nodes, for the structure features (symbols, folding, links, definition, rename,
// code actions): the node at an offset with its data path, the pair at a path, the text of a scalar without
// its quotes, and conversions between offsets, 1-based problem ranges and LSP ranges.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Range } from "vscode-languageserver-types";
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import type { DataPath, PathSegment, Range as ProblemRange } from "../../../engine/recipe";

/** What is at an offset: the data path of the value, and whether the offset is on the key or on the value. */
export interface NodeHit {
  path: PathSegment[];
  on: "key" | "value";
  /** The key node (on: "key") or the scalar value node (on: "value"). */
  node: Node;
  /** The pair holding it, for map entries. */
  pair?: Pair<unknown, unknown>;
}

/** A map entry found by path. */
export interface FoundPair {
  pair: Pair<unknown, unknown>;
  key: Scalar;
  value: Node | null;
}

export function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "range" in value && Array.isArray((value as Node).range);
}

/** The text of a scalar key ("devices"), or undefined for complex keys. */
export function keyName(key: unknown): string | undefined {
  return isScalar(key) && key.value !== null && typeof key.value !== "object" ? String(key.value) : undefined;
}

/** The innermost key or scalar value whose text contains `offset` (its end counts: a cursor after a word is on it). */
export function nodeAt(doc: Document, offset: number): NodeHit | undefined {
  const within = (node: unknown): node is Node => isNode(node) && node.range![0] <= offset && offset <= node.range![1];
  let current: unknown = doc.contents;
  const path: PathSegment[] = [];
  for (let depth = 0; depth < 64; depth++) {
    if (isMap(current)) {
      let next: unknown;
      for (const pair of current.items) {
        const name = keyName(pair.key);
        if (name === undefined) continue;
        if (within(pair.key)) return { path: [...path, name], on: "key", node: pair.key, pair };
        if (within(pair.value)) {
          path.push(name);
          if (isScalar(pair.value)) return { path, on: "value", node: pair.value, pair };
          next = pair.value;
          break;
        }
      }
      if (next === undefined) return undefined;
      current = next;
    } else if (isSeq(current)) {
      const index = current.items.findIndex((item) => within(item));
      if (index < 0) return undefined;
      path.push(index);
      const item = current.items[index];
      if (isScalar(item)) return { path, on: "value", node: item };
      current = item;
    } else return undefined;
  }
  return undefined;
}

/** The node at a data path (through maps and sequences), or undefined. */
export function nodeAtPath(doc: Document, path: DataPath): Node | null | undefined {
  let current: unknown = doc.contents;
  for (const segment of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => keyName(p.key) === String(segment));
      if (!pair) return undefined;
      current = pair.value;
    } else if (isSeq(current) && typeof segment === "number") {
      current = current.items[segment];
    } else return undefined;
  }
  return current === null ? null : isNode(current) ? current : undefined;
}

/** The map entry at a data path (its last segment a key), or undefined. */
export function pairAtPath(doc: Document, path: DataPath): FoundPair | undefined {
  if (path.length === 0) return undefined;
  const parent = nodeAtPath(doc, path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => keyName(p.key) === String(path[path.length - 1]));
  if (!pair || !isScalar(pair.key)) return undefined;
  return { pair, key: pair.key, value: isNode(pair.value) ? pair.value : null };
}

export function mapAtPath(doc: Document, path: DataPath): YAMLMap<unknown, unknown> | undefined {
  const node = path.length === 0 ? doc.contents : nodeAtPath(doc, path);
  return isMap(node) ? node : undefined;
}

export function seqAtPath(doc: Document, path: DataPath): YAMLSeq<unknown> | undefined {
  const node = nodeAtPath(doc, path);
  return isSeq(node) ? node : undefined;
}

/** Offsets of a scalar's text without its quotes (`"pixel8"` → pixel8). */
export function scalarContent(node: Node): [number, number] {
  const [start, end] = node.range!;
  const quoted = isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE");
  return quoted && end - start >= 2 ? [start + 1, end - 1] : [start, end];
}

export function offsetRange(document: TextDocument, start: number, end: number): Range {
  return { start: document.positionAt(start), end: document.positionAt(end) };
}

/** The LSP range (0-based) of a problem's range (1-based lines and columns, both in UTF-16 code units). */
export function toLspRange(range: ProblemRange): Range {
  return {
    start: { line: range.start.line - 1, character: range.start.column - 1 },
    end: { line: range.end.line - 1, character: range.end.column - 1 },
  };
}

/** The offset just after the last character of a node that is not white space (block nodes end after their newline). */
export function contentEnd(text: string, node: Node): number {
  let end = node.range![1];
  while (end > node.range![0] && /\s/.test(text[end - 1])) end--;
  return end;
}

/** Every map entry of the document with its data path, depth first (for symbols and folding). */
export function* entries(doc: Document): Generator<{ path: PathSegment[]; pair: Pair<unknown, unknown>; key: Scalar }> {
  function* walk(
    node: unknown,
    path: PathSegment[],
  ): Generator<{ path: PathSegment[]; pair: Pair<unknown, unknown>; key: Scalar }> {
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = keyName(pair.key);
        if (name === undefined || !isScalar(pair.key)) continue;
        yield { path: [...path, name], pair, key: pair.key };
        yield* walk(pair.value, [...path, name]);
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) yield* walk(node.items[i], [...path, i]);
    }
  }
  yield* walk(doc.contents, []);
}
