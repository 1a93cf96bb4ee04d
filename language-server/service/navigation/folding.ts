// Folding ranges: every map entry whose value spans lines (block or flow collections, block scalars, wrapped
// scalars), every sequence item that is a block collection, and runs of two or more comment lines. Lines are
// 0-based; a range folds the lines after its first, up to its last.
import type { TextDocument } from "vscode-languageserver-textdocument";
import { type FoldingRange, FoldingRangeKind } from "vscode-languageserver-types";
import { isCollection, isMap, isScalar, isSeq } from "yaml";
import type { ServiceContext } from "../service-context";
import { contentEnd, isNode } from "../recipe/nodes";

export function getFoldingRanges(context: ServiceContext, textDocument: TextDocument): FoldingRange[] {
  const document = context.documents.get(textDocument);
  const text = document.text;
  const lineOf = (offset: number) => textDocument.positionAt(offset).line;
  const ranges: FoldingRange[] = [];
  const add = (startLine: number, endLine: number, kind?: FoldingRangeKind) => {
    if (endLine > startLine) ranges.push({ startLine, endLine, ...(kind ? { kind } : {}) });
  };

  // An entry folds from its key's line to its value's last line; a sequence item from its first line.
  const blockScalarLines = new Set<number>();
  const walk = (node: unknown): void => {
    if (isScalar(node) && (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") && node.range) {
      for (let l = lineOf(node.range[0]); l <= lineOf(contentEnd(text, node)); l++) blockScalarLines.add(l);
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if (isNode(pair.key) && isNode(pair.value))
          add(lineOf(pair.key.range![0]), lineOf(contentEnd(text, pair.value)));
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (isNode(item) && isCollection(item) && !item.flow)
          add(lineOf(item.range![0]), lineOf(contentEnd(text, item)));
        walk(item);
      }
    }
  };
  walk(document.parsed.source.doc.contents);

  // Comment blocks: consecutive lines whose first non-blank character is `#` (not inside block scalars).
  const lines = text.split("\n");
  let runStart = -1;
  for (let i = 0; i <= lines.length; i++) {
    const isComment = i < lines.length && /^\s*#/.test(lines[i]) && !blockScalarLines.has(i);
    if (isComment && runStart < 0) runStart = i;
    if (!isComment && runStart >= 0) {
      add(runStart, i - 1, FoldingRangeKind.Comment);
      runStart = -1;
    }
  }
  // One range per start line (editors keep one anyway): the longest.
  ranges.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
  return ranges.filter((r, i) => i === 0 || ranges[i - 1].startLine !== r.startLine);
}
