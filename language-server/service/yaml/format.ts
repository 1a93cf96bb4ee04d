// Formats YAML text line by line, led by the `yaml` package's CST so comments, key order, quoting and flow style
// stay as written: block entries and `- ` items are re-indented by nesting depth × `unit` spaces, `key:   value`
// and `-   item` get one space, trailing white space goes, one final newline stays. Lines inside multi-line
// scalars and flow collections move with their first line; block scalar content is re-indented one level in
// (by its indentation indicator when it has one) and is otherwise untouched, trailing spaces included. Comment lines align with the line they precede (those at column 0 stay there).
// Pure; `formatYaml` returns undefined when the text has errors or the result would not mean the same data.
import { isDeepStrictEqual } from "node:util";
import { type CST, type Document, Lexer, Parser } from "yaml";
import { parseYaml } from "../../../engine/recipe";

/** How a line's indentation changes: set to a column, moved with another line, or moved by a fixed amount verbatim. */
type Rule = { set: number } | { shift: number } | { verbatim: number };

interface LineEdit {
  line: number;
  from: number;
  to: number;
  text: string;
}

/** `parsed`, when given, is `text` already parsed (it saves a parse). */
export function formatYaml(text: string, unit: number, parsed?: Document): string | undefined {
  // parseYaml: the library's own duplicate-key check is quadratic in the keys of a map.
  const before = parsed ?? parseYaml(text);
  if (before.errors.length > 0) return undefined;
  const layout = new Layout(text, unit);
  for (const token of new Parser().parse(text)) layout.top(token);
  const formatted = layout.render();
  const after = parseYaml(formatted);
  if (
    after.errors.length > 0 ||
    !isDeepStrictEqual(after.toJS(), before.toJS()) ||
    !isDeepStrictEqual(comments(formatted), comments(text))
  )
    return undefined;
  return formatted;
}

/** The comments of a text, in order, as the lexer sees them. */
function comments(text: string): string[] {
  return [...new Lexer().lex(text)].filter((t) => t.startsWith("#")).map((t) => t.trimEnd());
}

class Layout {
  private readonly lines: string[];
  private readonly starts: number[] = [];
  private readonly rules = new Map<number, Rule>();
  /** Edits inside lines (spacing), by line. */
  private readonly inline = new Map<number, LineEdit[]>();

  constructor(
    private readonly text: string,
    private readonly unit: number,
  ) {
    this.lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
    let offset = 0;
    for (const line of text.split("\n")) {
      this.starts.push(offset);
      offset += line.length + 1;
    }
  }

  top(token: CST.Token): void {
    if (token.type === "document" && token.value) this.value(token.value, 0, 0, 0);
  }

  /**
   * A node whose block collections start at `col`; `childCol` is the column of content that goes one level in,
   * `parentCol` the new column of the collection holding the node (block scalars' indentation indicators count from it).
   */
  private value(token: CST.Token, col: number, childCol: number, parentCol: number): void {
    switch (token.type) {
      case "block-map":
        return this.blockMap(token, col);
      case "block-seq":
        return this.blockSeq(token, col);
      case "block-scalar": {
        const header = this.lineOf(token.offset);
        const last = token.props[token.props.length - 1];
        const contentStart = last ? end(last) : token.offset;
        const lines: number[] = [];
        for (
          let l = this.lineOf(contentStart);
          l <= this.lineOf(Math.max(contentStart, contentStart + token.source.length - 1));
          l++
        )
          if (l > header) lines.push(l);
        const indicator = token.props.find((t) => t.type === "block-scalar-header");
        const explicit = indicator && "source" in indicator ? /\d/.exec(indicator.source) : null;
        const filled = lines.filter((l) => this.lines[l].trim() !== "");
        if (filled.length === 0) return;
        const oldIndent = Math.min(...filled.map((l) => leading(this.lines[l])));
        const delta = explicit ? parentCol - token.indent : childCol - oldIndent;
        for (const l of lines) this.rules.set(l, { verbatim: delta });
        return;
      }
      default: {
        // Scalars and flow collections: a first line of their own goes one level in; the rest move with it.
        const first = this.lineOf(token.offset);
        if (this.firstOnLine(token.offset)) this.rules.set(first, { set: childCol });
        const last = this.lineOf(Math.max(token.offset, end(token) - 1));
        for (let l = first + 1; l <= last; l++) this.rules.set(l, { shift: first });
      }
    }
  }

  private blockMap(map: CST.BlockMap, col: number): void {
    for (const item of map.items) {
      const lead =
        item.start.find((t) => t.type !== "space" && t.type !== "newline" && t.type !== "comment") ??
        item.key ??
        item.sep?.[0];
      if (lead && this.firstOnLine(lead.offset)) this.rules.set(this.lineOf(lead.offset), { set: col });
      if (item.explicitKey || !item.sep) continue;
      const sep = item.sep;
      const indicator = sep.findIndex((t) => t.type === "map-value-ind");
      if (indicator < 0) continue;
      // `key   :` → `key:` (plain or quoted keys only).
      const before = sep[indicator - 1];
      if (indicator === 1 && before.type === "space" && item.key && isScalarToken(item.key)) this.replace(before, "");
      // `key:   value` → `key: value`, when the value follows on the same line.
      const after = sep[indicator + 1];
      if (
        after?.type === "space" &&
        sep[indicator + 2]?.type !== "comment" &&
        (sep[indicator + 2] !== undefined || item.value)
      ) {
        const next = sep[indicator + 2] ?? item.value;
        if (
          next &&
          next.type !== "newline" &&
          "offset" in next &&
          this.lineOf(next.offset) === this.lineOf(after.offset)
        )
          this.replace(after, " ");
      }
      if (item.value) this.value(item.value, col + this.unit, col + this.unit, col);
    }
  }

  private blockSeq(seq: CST.BlockSequence, col: number): void {
    for (const item of seq.items) {
      const dashAt = item.start.findIndex((t) => t.type === "seq-item-ind");
      const dash = item.start[dashAt];
      if (!dash) continue;
      if (this.firstOnLine(dash.offset)) this.rules.set(this.lineOf(dash.offset), { set: col });
      const value = item.value;
      if (!value) continue;
      const sameLine = "offset" in value && this.lineOf(value.offset) === this.lineOf(dash.offset);
      const space = item.start[dashAt + 1];
      if (sameLine && space?.type === "space" && dashAt + 2 === item.start.length) this.replace(space, " ");
      // `- key: v` puts a map two columns after the dash; a value on the next line goes one level in.
      const inner = sameLine && space?.type === "space" && dashAt + 2 === item.start.length ? col + 2 : col + this.unit;
      if (sameLine && (value.type === "block-map" || value.type === "block-seq")) this.value(value, inner, inner, col);
      else this.value(value, col + this.unit, col + this.unit, col);
    }
  }

  private replace(token: CST.SourceToken, text: string): void {
    const line = this.lineOf(token.offset);
    const from = token.offset - this.starts[line];
    const edits = this.inline.get(line) ?? [];
    edits.push({ line, from, to: from + token.source.length, text });
    this.inline.set(line, edits);
  }

  render(): string {
    const newIndent = new Map<number, number>();
    const indentOf = (line: number, depth = 0): number => {
      const known = newIndent.get(line);
      if (known !== undefined) return known;
      const rule = this.rules.get(line);
      const old = leading(this.lines[line]);
      let col = old;
      if (rule && "set" in rule) col = rule.set;
      else if (rule && "verbatim" in rule) col = old + rule.verbatim;
      else if (rule && depth < 64)
        col = Math.max(0, old + indentOf(rule.shift, depth + 1) - leading(this.lines[rule.shift]));
      newIndent.set(line, col);
      return col;
    };
    const out: string[] = [];
    for (let i = 0; i < this.lines.length; i++) {
      let line = this.lines[i];
      const rule = this.rules.get(i);
      if (rule && "verbatim" in rule) {
        // Block scalar content: every character is kept; only the indentation moves (blank lines stay blank).
        const delta = rule.verbatim;
        out.push(
          delta >= 0 ? (line.length ? " ".repeat(delta) + line : line) : line.slice(Math.min(-delta, leading(line))),
        );
        continue;
      }
      for (const edit of (this.inline.get(i) ?? []).sort((a, b) => b.from - a.from))
        line = line.slice(0, edit.from) + edit.text + line.slice(edit.to);
      const content = line.trim();
      if (content === "") out.push("");
      else if (!rule && content.startsWith("#")) out.push(" ".repeat(this.commentIndent(i, indentOf)) + content);
      else out.push(" ".repeat(rule ? indentOf(i) : leading(line)) + line.trimStart().trimEnd());
    }
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
    return out.length ? `${out.join("\n")}\n` : "";
  }

  /** A comment line: column 0 stays; otherwise the indentation of the next entry or item (else the previous one). */
  private commentIndent(line: number, indentOf: (line: number) => number): number {
    if (leading(this.lines[line]) === 0) return 0;
    const isEntry = (l: number) => {
      const rule = this.rules.get(l);
      return rule !== undefined && "set" in rule;
    };
    for (let l = line + 1; l < this.lines.length; l++) if (isEntry(l)) return indentOf(l);
    for (let l = line - 1; l >= 0; l--) if (isEntry(l)) return indentOf(l);
    return 0;
  }

  private lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  private firstOnLine(offset: number): boolean {
    const start = this.starts[this.lineOf(offset)];
    return this.text.slice(start, offset).trim() === "";
  }
}

function leading(line: string): number {
  return line.length - line.trimStart().length;
}

function isScalarToken(token: CST.Token): boolean {
  return token.type === "scalar" || token.type === "single-quoted-scalar" || token.type === "double-quoted-scalar";
}

/** The offset just after a token's own text. */
function end(token: CST.Token): number {
  switch (token.type) {
    case "block-map":
    case "block-seq": {
      let last = token.offset;
      for (const item of token.items) {
        for (const t of [
          ...item.start,
          ...(item.key ? [item.key] : []),
          ...(item.sep ?? []),
          ...(item.value ? [item.value] : []),
        ]) {
          if (t.type !== "newline" && t.type !== "space" && t.type !== "comment") last = Math.max(last, end(t));
        }
      }
      return last;
    }
    case "flow-collection": {
      const close = token.end.find((t) => t.type === "flow-map-end" || t.type === "flow-seq-end");
      return close
        ? close.offset + 1
        : token.items.length
          ? Math.max(...token.items.map((i) => (i.value ? end(i.value) : token.offset)))
          : token.offset + 1;
    }
    case "block-scalar": {
      const last = token.props[token.props.length - 1];
      return (last ? end(last) : token.offset) + token.source.length;
    }
    case "document":
    case "doc-end":
    case "directive":
    case "error":
      return token.offset + ("source" in token ? token.source.length : 0);
    default:
      return token.offset + token.source.length;
  }
}
