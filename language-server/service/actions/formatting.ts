// Whole-document formatting that keeps comments, key order, quoting and flow style (yaml/format.ts): indentation
// in steps of the editor's tab size, always with spaces (YAML forbids tabs there), `key: value` spacing, no
// trailing white space, one final newline. Answers one edit per changed line, so the rest of the document (and
// the cursor) stays put. Nothing is changed in a document with YAML syntax errors, or when the result would not
// read as the same data (formatYaml checks both); line endings (LF or CRLF) are kept.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { FormattingOptions, TextEdit } from "vscode-languageserver-types";
import type { ServiceContext } from "../service-context";
import { formatYaml } from "../yaml/format";

export function format(context: ServiceContext, textDocument: TextDocument, options: FormattingOptions): TextEdit[] {
  const document = context.documents.get(textDocument);
  if (document.tooLarge || document.parsed.source.doc.errors.length > 0) return [];
  const unit = Number.isInteger(options.tabSize) && options.tabSize > 0 ? Math.min(options.tabSize, 8) : 2;
  // formatYaml parses the text itself: it compares comments too, which the editor's block parse does not keep whole.
  const formatted = formatYaml(document.text, unit);
  if (formatted === undefined) return [];
  return lineEdits(document.text, formatted);
}

/** Edits turning `text` into `formatted` line by line (formatting never adds lines; it may drop trailing blank ones). */
function lineEdits(text: string, formatted: string): TextEdit[] {
  const oldLines = text.split("\n");
  const newLines = formatted === "" ? [] : formatted.slice(0, -1).split("\n");
  const edits: TextEdit[] = [];
  const contentOf = (line: string) => (line.endsWith("\r") ? line.slice(0, -1) : line);
  for (let i = 0; i < newLines.length; i++) {
    const old = contentOf(oldLines[i]);
    if (old !== newLines[i])
      edits.push({
        range: { start: { line: i, character: 0 }, end: { line: i, character: old.length } },
        newText: newLines[i],
      });
  }
  // After the last line: exactly one line break (the file's own), nothing else.
  const last = newLines.length - 1;
  const tailStart = last < 0 ? { line: 0, character: 0 } : { line: last, character: contentOf(oldLines[last]).length };
  const eol = last >= 0 && oldLines[last].endsWith("\r") ? "\r\n" : "\n";
  const oldTail = last < 0 ? text : text.slice(offsetOf(oldLines, last) + contentOf(oldLines[last]).length);
  const wantTail = last < 0 ? "" : eol;
  if (oldTail !== wantTail) {
    const endLine = oldLines.length - 1;
    edits.push({
      range: { start: tailStart, end: { line: endLine, character: oldLines[endLine].length } },
      newText: wantTail,
    });
  }
  return edits;
}

function offsetOf(lines: string[], line: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) offset += lines[i].length + 1;
  return offset;
}
