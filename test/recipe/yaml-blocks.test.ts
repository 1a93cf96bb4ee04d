// The editor's block parse (engine/recipe/yaml-blocks.ts) must give exactly what the full parse gives: the same
// data, the same node ranges, the same line index and the same problems, after every edit of a long random
// sequence; and it must fall back to the full parse where it cannot vouch for the result.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isMap, isPair, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { parseRecipe, YamlBlockCache } from "../../engine/recipe";
import { generateRecipe } from "../../bench/lsp/recipe-generator";

/** Every node's range by its path, so two documents can be compared node for node. */
function rangesOf(node: unknown, path = "$", out: string[] = []): string[] {
  if (!node || typeof node !== "object") return out;
  const n = node as Node;
  out.push(`${path} ${JSON.stringify(n.range)}`);
  if (isMap(n)) {
    for (const item of n.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? String(item.key.value) : "?";
      rangesOf(item.key, `${path}.<${key}>`, out);
      rangesOf(item.value, `${path}.${key}`, out);
    }
  } else if (isSeq(n)) {
    n.items.forEach((item, i) => rangesOf(item, `${path}[${i}]`, out));
  }
  return out;
}

/** A seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const alphabet = [
  "a",
  "b",
  "c",
  "1",
  "_",
  " ",
  "  ",
  ":",
  "\n",
  "-",
  "#",
  "[",
  "]",
  "{",
  "}",
  ",",
  "'",
  '"',
  "x: 1\n",
  "\n  y: 2",
  "\nz: 3",
  "&a ",
  "*a",
  "---\n",
];

function edit(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const r = random();
  if (r < 0.45) return text.slice(0, at) + alphabet[Math.floor(random() * alphabet.length)] + text.slice(at);
  if (r < 0.8) return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
  // Whole lines: delete or duplicate one.
  const lines = text.split("\n");
  const line = Math.floor(random() * lines.length);
  if (r < 0.9) lines.splice(line, 1);
  else lines.splice(line, 0, lines[line]);
  return lines.join("\n");
}

function assertSameAsFullParse(text: string, blocks: YamlBlockCache, where: string): boolean {
  const incremental = parseRecipe(text, "r.edge.yaml", { blocks });
  const full = parseRecipe(text, "r.edge.yaml");
  assert.deepEqual(incremental.problems, full.problems, `problems differ ${where}`);
  assert.deepEqual(incremental.data, full.data, `data differs ${where}`);
  if (incremental.source.blockData === undefined) return false; // fell back: nothing more to compare
  assert.deepEqual(
    rangesOf(incremental.source.doc.contents),
    rangesOf(full.source.doc.contents),
    `ranges differ ${where}`,
  );
  assert.deepEqual(incremental.source.lines.lineStarts, full.source.lines.lineStarts, `line index differs ${where}`);
  return true;
}

function fuzz(start: string, edits: number, seed: number): { incremental: number } {
  // (The share of edits the block parse handles itself is printed, to see the fast path is exercised.)
  const random = prng(seed);
  const blocks = new YamlBlockCache();
  let text = start;
  let incremental = 0;
  for (let i = 0; i < edits; i++) {
    // Small edits that pile up, back to the start every 20 (so most texts are near-valid, as while typing).
    text = i % 20 === 19 ? start : edit(text, random);
    if (assertSameAsFullParse(text, blocks, `after edit ${i} (seed ${seed}):\n${text}`)) incremental++;
  }
  console.log(`# block parse handled ${incremental} of ${edits} edits (seed ${seed})`);
  return { incremental };
}

void test("the demo recipe: 3,000 random edits, block parse equals full parse after each", () => {
  const demo = readFileSync("samples/demo.edge.yaml", "utf8");
  const { incremental } = fuzz(demo, 3000, 7);
  assert.ok(
    incremental > 300,
    `the block parse should handle a good share of the edits itself, handled ${incremental}`,
  );
});

void test("a generated 2,000-line recipe: 100 random edits, block parse equals full parse after each", () => {
  const big = generateRecipe({
    lines: 2000,
    modelPath: "model.onnx",
    modelInputs: ["input_ids", "attention_mask", "position_ids"],
    nodeNames: Array.from({ length: 600 }, (_, i) => `/layers.${i}/MatMul`),
  }).text;
  const { incremental } = fuzz(big, 100, 11);
  assert.ok(incremental >= 5, `handled ${incremental}`);
});

void test("sections cut into entries (devices, data): 1,500 random edits, block parse equals full parse after each", () => {
  const devices = Array.from(
    { length: 8 },
    (_, i) => `  dev${i}:\n    ssh: { host: h${i}.local, user: pi }\n    threads: ${i + 1}\n`,
  ).join("");
  const data = Array.from(
    { length: 6 },
    (_, i) => `  set${i}:\n    path: data/s${i}\n    format: npy\n  # set ${i} ends\n`,
  ).join("");
  const text = `# comment\nname: nested\nmodel:\n  path: m.onnx\n\ndata:\n${data}\ndevices:  # all of them\n${devices}# a root comment\nrun:\n  device: dev0\nbudgets:\n`;
  const { incremental } = fuzz(text, 1500, 5);
  assert.ok(incremental > 100, `handled ${incremental}`);

  // An edit in the last dataset re-parses the block of entries it is in only (entries are grouped, about 32 to a
  // block, where their own first lines say): the entries of other blocks are the very same nodes.
  const many = Array.from({ length: 400 }, (_, i) => `  set${i}:\n    path: data/s${i}\n    format: npy\n`).join("");
  const long = `name: many\nmodel:\n  path: m.onnx\ndata:\n${many}run:\n  device: local\n`;
  const edited = long.replace("path: data/s399", "path: data/s3999");
  const blocks = new YamlBlockCache();
  const first = blocks.parse(long)!;
  const second = blocks.parse(edited)!;
  const entry = (doc: typeof first.doc, name: string) => doc.getIn(["data", name], true) as object;
  assert.ok(entry(first.doc, "set0") === entry(second.doc, "set0"), "an unchanged entry is reused");
  assert.ok(entry(first.doc, "set399") !== entry(second.doc, "set399"), "the edited entry is parsed again");
  assert.deepEqual(second.data, parseDocument(edited).toJS());
  assert.deepEqual(rangesOf(second.doc.contents), rangesOf(parseDocument(edited).contents));
  // An edit that changes a length early on moves the blocks after it (same nodes' data, new ranges).
  const lengthened = long.replace("path: data/s1\n", "path: data/s1-longer\n");
  const third = blocks.parse(lengthened)!;
  assert.deepEqual(rangesOf(third.doc.contents), rangesOf(parseDocument(lengthened).contents));
});

void test("CRLF line endings: 500 random edits, block parse equals full parse after each", () => {
  const demo = readFileSync("samples/demo.edge.yaml", "utf8").replace(/\n/g, "\r\n");
  const { incremental } = fuzz(demo, 500, 3);
  assert.ok(incremental > 50, `handled ${incremental}`);
});

void test("reused sections keep their nodes; earlier parses are not changed by later ones", () => {
  const blocks = new YamlBlockCache();
  const v1 = "name: a\nmodel:\n  path: m.onnx\nrun:\n  warmup: 1\n";
  const first = parseRecipe(v1, "r", { blocks });
  const before = rangesOf(first.source.doc.contents);
  const v2 = "name: abc\nmodel:\n  path: m.onnx\nrun:\n  warmup: 1\n"; // shifts the later sections by 2
  const second = parseRecipe(v2, "r", { blocks });
  assert.deepEqual(rangesOf(first.source.doc.contents), before, "the first parse's ranges must not move");
  assert.deepEqual(rangesOf(second.source.doc.contents), rangesOf(parseDocument(v2).contents));
});

void test("falls back to the full parse where only it can be trusted", () => {
  const cases: Record<string, string> = {
    "alias to another section's anchor": "name: &n a\nmodel:\n  path: *n\n",
    "duplicate top-level key": "name: a\nname: b\n",
    "indented content before the first key": "  stray\nname: a\n",
    "document marker": "---\nname: a\n",
    "flow map closing at column 0": "model: {\n  path: m.onnx\n}\nname: a\n",
    "numeric top-level key": "1: a\nname: b\n",
    "tab at column 0": "name: a\n\tmodel: b\n",
  };
  for (const [what, text] of Object.entries(cases)) {
    const blocks = new YamlBlockCache();
    assert.equal(blocks.parse(text), undefined, what);
    assertSameAsFullParse(text, blocks, what);
  }
});
