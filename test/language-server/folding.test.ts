// Folding ranges: block maps and sequences, multi-line flow collections and block scalars, comment blocks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FoldingRangeKind } from "vscode-languageserver-types";
import { docAt, repoRoot, service, yaml } from "./structure-helpers";

const pairs = (ranges: { startLine: number; endLine: number; kind?: string }[]) =>
  ranges.map((r) => `${r.startLine}-${r.endLine}${r.kind ? ` ${r.kind}` : ""}`);

void test("the demo recipe: its comment header, and each section spanning lines", () => {
  const path = join(repoRoot, "samples/demo.edge.yaml");
  const ranges = service().getFoldingRanges(docAt(path, readFileSync(path, "utf8")));
  assert.deepEqual(pairs(ranges), ["0-1 comment", "3-6", "5-6", "7-9", "10-11", "12-17", "18-21"]);
});

void test("sequences, items that are maps, flow collections over lines, block scalars, and single lines that do not fold", () => {
  const text = yaml`
    name: x
    quantize:
      method: int8-static
      exclude:
        nodes:
          - /a
          - /b
    evaluate: { metrics: [cosine,
      latency] }
    # one comment line
    notes: |
      # not a comment
      # but text
    list:
      - a: 1
        b: 2
      - c
  `;
  const ranges = service().getFoldingRanges(docAt("/tmp/edge-test/r.edge.yaml", text));
  assert.deepEqual(pairs(ranges), ["1-6", "3-6", "4-6", "7-8", "10-12", "13-16", "14-15"]);
  assert.ok(!ranges.some((r) => r.kind === FoldingRangeKind.Comment));
});
