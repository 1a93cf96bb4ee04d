// Incremental YAML for recipes, for the editor's every keystroke. The top-level map is cut into one block per
// top-level key, and a section whose value is a block map (`devices:`, `data:`) is cut again into blocks of whole
// entries (about CHUNK_ENTRIES consecutive entries share a block, so 200,000 one-line devices are a few thousand
// blocks, not 200,000 documents). Each block is parsed on its own, and a block whose text did not change is reused
// from the last parse (moved to its new offset), so an edit re-parses one block instead of the whole file.
//
// The result must be exactly what `parseDocument` gives for the whole text: the same data and node ranges (a test
// compares them after thousands of random edits). So anything this cannot vouch for falls back to the full parse
// (`parse` returns undefined): text before the first key other than comments, a column-0 line that is not a plain
// `key:` line, document markers and directives, duplicate keys, or any block with an error or warning (which also
// covers aliases to another block's anchor).
import { Document, isMap, isScalar, LineCounter, Pair, type Scalar, visit, YAMLMap } from "yaml";
import { parseYaml } from "./yaml-parse";

/** Entries of a section are grouped into blocks of about this many entries, and at most CHUNK_MAX_BYTES. */
const CHUNK_ENTRIES = 32;
const CHUNK_MAX_BYTES = 16 * 1024;

/** One entry of a map: a key, its pair (ranges in the whole text) and its value as plain data. */
interface Entry {
  key: string;
  pair: Pair;
  value: unknown;
  /** Where the map this entry came from ends, trailing comments at its indentation included (range[2]). */
  mapEnd: number;
}

interface CachedBlock {
  /** The block's pairs, in order; their ranges are shifted to `offset`. Never mutated once cached. */
  entries: Entry[];
  doc: Document;
  offset: number;
}

export interface BlockParse {
  doc: Document;
  lines: LineCounter;
  /** The whole recipe as plain data (what `doc.toJS()` would give). */
  data: Record<string, unknown>;
}

type Range3 = [number, number, number];

/** A plain `key:` line: a simple or quoted key, then `:` and a space or the line's end. */
const keyLine = /^(?:[A-Za-z_][A-Za-z0-9_.-]*|"[^"\\\n]*"|'[^'\n]*')[ ]*:(?:[ ]|\r?$)/;
/** A section header whose value starts on the next line (`devices:`, maybe with a comment). */
const emptyHeader = /^(?:[A-Za-z_][A-Za-z0-9_.-]*|"[^"\\\n]*"|'[^'\n]*')[ ]*:[ ]*(?:#.*)?\r?$/;

/** Blocks of the previous parse of one document, by their text. Keep one per open document. */
export class YamlBlockCache {
  private previous = new Map<string, CachedBlock[]>();
  private current = new Map<string, CachedBlock[]>();

  /** The blocks of `text` (reused or parsed), or undefined when only a full parse can be trusted. */
  parse(text: string): BlockParse | undefined {
    const cuts = keyLineCuts(text, 0, text.length, 0);
    if (!cuts || cuts.length === 0) return undefined;
    this.current = new Map();
    const section = this.mapOf(text, cuts, text.length, (start, end) => {
      const entry = this.section(text, start, end);
      return entry && [entry];
    });
    this.previous = this.current;
    if (!section) return undefined;
    const doc = new Document();
    doc.contents = section.map;
    return { doc, lines: lineCounterOf(text), data: section.data };
  }

  /**
   * A map made of the entries between `cuts`, made by `entries` for each range; undefined on a duplicate key or a
   * bad block.
   */
  private mapOf(
    text: string,
    cuts: number[],
    end: number,
    entries: (start: number, end: number) => Entry[] | undefined,
  ) {
    const map = new YAMLMap();
    const data: Record<string, unknown> = {};
    let made: Entry | undefined;
    for (let i = 0; i < cuts.length; i++) {
      const list = entries(cuts[i], i + 1 < cuts.length ? cuts[i + 1] : end);
      if (!list) return undefined;
      for (made of list) {
        if (Object.hasOwn(data, made.key)) return undefined;
        map.items.push(made.pair);
        data[made.key] = made.value;
      }
    }
    // As the full parse has it: from the first key to the end of the last value, then of trailing comments.
    const last = map.items[map.items.length - 1];
    const lastEnd = (last.value as { range?: Range3 } | null)?.range ?? (last.key as Scalar).range!;
    map.range = [(map.items[0].key as Scalar).range![0], lastEnd[2], made!.mapEnd];
    return { map, data };
  }

  /** One top-level section: cut into its entries when its value is a block map, else one block. */
  private section(text: string, start: number, end: number): Entry | undefined {
    const headerEnd = lineEnd(text, start);
    if (emptyHeader.test(text.slice(start, headerEnd))) {
      const indent = childIndent(text, headerEnd + 1, end);
      // Comments shallower than the entries belong to an outer map in the full parse: keep such a section whole.
      const cuts =
        indent > 0 && !hasShallowComment(text, headerEnd + 1, end, indent)
          ? keyLineCuts(text, headerEnd + 1, end, indent)
          : undefined;
      if (cuts && cuts.length > 1) {
        const header = this.block(text.slice(start, headerEnd + 1), start, 1)?.entries[0];
        const chunks = chunked(text, cuts, CHUNK_MAX_BYTES);
        const entries =
          header && header.value === null
            ? this.mapOf(
                text,
                chunks.starts,
                end,
                (s, e) => this.block(text.slice(s, e), s, chunks.sizes.get(s)!)?.entries,
              )
            : undefined;
        if (header && entries)
          return {
            key: header.key,
            pair: new Pair(header.pair.key, entries.map),
            value: entries.data,
            mapEnd: entries.map.range![2],
          };
      }
    }
    return this.block(text.slice(start, end), start, 1)?.entries[0];
  }

  /** A block of `count` `key: value` pairs, parsed or reused; undefined when it is not exactly that. */
  private block(blockText: string, offset: number, count: number): CachedBlock | undefined {
    const reused = this.previous.get(blockText)?.pop();
    const block = reused ? moved(reused, offset) : parsedBlock(blockText, offset, count);
    if (!block) return undefined;
    const list = this.current.get(blockText);
    if (list) list.push(block);
    else this.current.set(blockText, [block]);
    return block;
  }
}

function parsedBlock(blockText: string, offset: number, count: number): CachedBlock | undefined {
  const doc = parseYaml(blockText);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  const contents = doc.contents;
  if (!isMap(contents) || contents.items.length !== count) return undefined;
  for (const pair of contents.items) if (!isScalar(pair.key) || typeof pair.key.value !== "string") return undefined;
  let js: Record<string, unknown>;
  try {
    js = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch {
    return undefined; // e.g. an alias to an anchor in another block
  }
  shiftRanges(doc, offset);
  return { doc, offset, entries: entriesOf(contents as YAMLMap<Scalar<string>, unknown>, js) };
}

function entriesOf(map: YAMLMap<Scalar<string>, unknown>, js: Record<string, unknown>): Entry[] {
  const mapEnd = map.range![2];
  return map.items.map((pair) => ({ key: pair.key.value, pair: pair as Pair, value: js[pair.key.value], mapEnd }));
}

/** A reused block at a new offset: a shifted copy, so the documents of earlier parses keep their ranges. */
function moved(block: CachedBlock, offset: number): CachedBlock {
  if (block.offset === offset) return block;
  const doc = block.doc.clone();
  shiftRanges(doc, offset - block.offset);
  const map = doc.contents as YAMLMap<Scalar<string>, unknown>;
  const mapEnd = map.range![2];
  // The values as plain data are the same (they do not depend on offsets).
  const entries = block.entries.map((entry, i) => ({ ...entry, pair: map.items[i] as Pair, mapEnd }));
  return { doc, offset, entries };
}

/**
 * Consecutive entries grouped into blocks. Where a group starts depends only on the entry's own first line (its
 * hash; a group of about CHUNK_ENTRIES on average), not on positions, so an edit changes the group it is in and
 * leaves the others' texts, and so their parses, as they were; a group longer than `maxBytes` is cut anyway.
 * Returns the group starts and how many entries start in each.
 */
function chunked(text: string, cuts: number[], maxBytes: number): { starts: number[]; sizes: Map<number, number> } {
  const starts: number[] = [];
  const sizes = new Map<number, number>();
  let start = -1;
  for (const cut of cuts) {
    if (start >= 0 && cut - start < maxBytes && lineHash(text, cut) % CHUNK_ENTRIES !== 0) {
      sizes.set(start, sizes.get(start)! + 1);
      continue;
    }
    start = cut;
    starts.push(cut);
    sizes.set(cut, 1);
  }
  return { starts, sizes };
}

/** FNV-1a of the line at `at` (at most its first 64 characters). */
function lineHash(text: string, at: number): number {
  let hash = 0x811c9dc5;
  const end = Math.min(lineEnd(text, at), at + 64);
  for (let i = at; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * Offsets of the lines in [from, to) that start keys at column `indent`, or undefined when a line there is not
 * blank, a comment, deeper content after a key, or such a key line.
 */
function keyLineCuts(text: string, from: number, to: number, indent: number): number[] | undefined {
  const cuts: number[] = [];
  for (let at = from; at < to;) {
    const end = lineEnd(text, at);
    const content = firstNonSpace(text, at, end);
    const column = content - at;
    if (content < end && text.charCodeAt(content) !== 35 /* # */ && text.charCodeAt(content) !== 13 /* \r */) {
      if (text.charCodeAt(content) === 9 /* tab */) return undefined;
      if (column === indent) {
        if (!keyLine.test(text.slice(content, Math.min(end, content + 512)))) return undefined;
        cuts.push(at);
      } else if (column < indent || cuts.length === 0) {
        return undefined; // shallower content, or content before the first key
      }
    }
    at = end + 1;
  }
  return cuts;
}

/** Whether a comment line in [from, to) starts left of `indent`. */
function hasShallowComment(text: string, from: number, to: number, indent: number): boolean {
  for (let at = from; at < to;) {
    const end = lineEnd(text, at);
    const content = firstNonSpace(text, at, end);
    if (content - at < indent && text.charCodeAt(content) === 35 /* # */) return true;
    at = end + 1;
  }
  return false;
}

/** The column of the first content line in [from, to), or -1 when there is none. */
function childIndent(text: string, from: number, to: number): number {
  for (let at = from; at < to;) {
    const end = lineEnd(text, at);
    const content = firstNonSpace(text, at, end);
    if (content < end && text.charCodeAt(content) !== 35 && text.charCodeAt(content) !== 13) return content - at;
    at = end + 1;
  }
  return -1;
}

function lineEnd(text: string, at: number): number {
  const newline = text.indexOf("\n", at);
  return newline === -1 ? text.length : newline;
}

function firstNonSpace(text: string, from: number, to: number): number {
  let at = from;
  while (at < to && text.charCodeAt(at) === 32) at++;
  return at;
}

function lineCounterOf(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines.addNewLine(at + 1);
  return lines;
}

function shiftRanges(doc: Document, delta: number): void {
  if (delta === 0) return;
  const shift = (node: { range?: Range3 | null }) => {
    if (node.range) node.range = [node.range[0] + delta, node.range[1] + delta, node.range[2] + delta];
  };
  shift(doc);
  visit(doc, {
    Map: (_, n) => void shift(n),
    Seq: (_, n) => void shift(n),
    Scalar: (_, n) => void shift(n),
    Alias: (_, n) => void shift(n),
  });
}
