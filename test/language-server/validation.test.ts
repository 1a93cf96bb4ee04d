// Diagnostics: the same problems as `edge validate` on real recipes (good and bad), 0-based ranges at the marked
// positions, hints, tags and related information, per-node quantization findings, and unsaved buffers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe as suite, test } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { type Diagnostic, DiagnosticSeverity, DiagnosticTag } from "vscode-languageserver-types";
import { loadRecipe, type Problem } from "../../engine/recipe";
import { createNodeWorldHost } from "../../language-server/world/node-world-host";
import type { WorldHost } from "../../language-server/world/world-host";
import {
  describeDiagnostics,
  diagnosticAt,
  diskWorld,
  docAt,
  markedDoc,
  messageOf,
  ocrModel,
  repoRoot,
  service,
  sileroModel,
  tempDir,
  writeFiles,
  yaml,
} from "./structure-helpers";

const severityNames: Record<number, string> = {
  [DiagnosticSeverity.Error]: "error",
  [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "information",
};

function problemKey(p: Problem): string {
  const r = p.range;
  return `${p.severity} ${p.code} ${r.start.line - 1}:${r.start.column - 1}-${r.end.line - 1}:${r.end.column - 1} ${p.message}${p.hint ? `\n${p.hint}` : ""}`;
}

function diagnosticKey(d: Diagnostic): string {
  const r = d.range;
  return `${severityNames[d.severity ?? 0]} ${String(d.code)} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${messageOf(d)}`;
}

/** `edge validate`'s problems (through loadRecipe, what the command calls) and the editor's diagnostics for one file. */
async function both(path: string, world: WorldHost): Promise<{ cli: string[]; editor: string[] }> {
  const loaded = await loadRecipe(path);
  const diagnostics = await service(world).doValidation(docAt(path, readFileSync(path, "utf8")));
  assert.ok(diagnostics.every((d) => d.source === "edge"));
  return { cli: loaded.problems.map(problemKey).sort(), editor: diagnostics.map(diagnosticKey).sort() };
}

void suite("doValidation is edge validate", () => {
  void test("the same problems, messages and positions on good and bad recipes", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "good.edge.yaml": yaml`
        name: vad
        model:
          path: ${sileroModel}
          inputs:
            input: { shape: [1, 512], range: [-1, 1] }
            state: { shape: [2, 1, 128], fill: zeros }
            sr: { shape: [], dtype: int64, value: 16000 }
        run: { device: local, iterations: 100 }
      `,
      "bad-meaning.edge.yaml": yaml`
        name: bad
        model:
          path: ${ocrModel}
          inputs:
            x: { shape: [1, 3, 48], dtype: float16 }
            y: { shape: [1], dtype: uint8, range: [0, 300] }
        data:
          spare: { path: nowhere.npz, format: npz, tokenizer: t.json }
        quantize: { method: int4-weight-only, block_size: 32 }
        devices:
          pixel8: { adb: {}, provider: nnapi }
          mac: { adb: {}, provider: coreml }
        run: { device: pixel9, threads: { inter_op: 2 } }
        budgets: { latency_p50_ms: 30, latency_p95_ms: 20, cosine_min: 0.9, size_mb: 12, peak_memory_mb: 4 }
      `,
      "bad-schema.edge.yaml": yaml`
        name: half typed
        model: { path: missing.onnx }
        quantise: { method: fp16 }
        devices:
          phone: { adb: { serial: 1234 }, threads: 0 }
        run: { device: phon, iterations: 0 }
        evaluate: { metrics: [cosine, speed] }
      `,
      "bad-yaml.edge.yaml": "name: x\nrun: device: laptop\n\tmodel: 1\n",
      "not-a-model.edge.yaml": "name: x\nmodel: { path: fake.onnx }\n",
      "fake.onnx": "not protobuf at all",
      "empty.edge.yaml": "# nothing yet\n",
    });
    const files = ["good", "bad-meaning", "bad-schema", "bad-yaml", "not-a-model", "empty"].map((n) =>
      join(dir, `${n}.edge.yaml`),
    );
    // The server's own world (models read through the engine's reader) and the test world on the disk.
    const nodeWorld = createNodeWorldHost({ summaryWorker: false });
    try {
      for (const world of [nodeWorld, diskWorld()]) {
        for (const path of [...files, join(repoRoot, "samples/demo.edge.yaml")]) {
          const { cli, editor } = await both(path, world);
          assert.deepEqual(editor, cli, path);
          if (path.endsWith("bad-meaning.edge.yaml")) assert.ok(cli.length >= 10, cli.join("\n"));
        }
      }
    } finally {
      await nodeWorld.dispose();
    }
  });
});

void suite("doValidation: diagnostics", () => {
  void test("0-based ranges on the marked text; hints on a second line; the unused dataset is tagged unnecessary", async () => {
    const dir = tempDir();
    writeFiles(dir, { "calib.npy": "x" });
    const { document, at } = markedDoc(
      dir,
      yaml`
        name: x
        model: { path: ${sileroModel} }
        data:
          ⟨here⟩calib: { path: calib.npy, format: npy }
        devices:
          pixel8: { adb: {} }
          laptop: { local: {} }
        run:
          device: ⟨here⟩pixel9⟨here⟩
      `,
    );
    const diagnostics = await service().doValidation(document);
    const unused = diagnosticAt(diagnostics, "ref/unused-dataset", at[0]);
    assert.deepEqual(unused.tags, [DiagnosticTag.Unnecessary]);
    assert.equal(unused.severity, DiagnosticSeverity.Information);
    const device = diagnosticAt(diagnostics, "ref/unknown-device", at[1]);
    assert.deepEqual(device.range.end, at[2]);
    assert.equal(device.severity, DiagnosticSeverity.Error);
    assert.equal(
      messageOf(device),
      "`run.device` is `pixel9`, which is not under `devices`; did you mean `pixel8`?\ndevices in this recipe: pixel8, laptop",
    );
    assert.equal(device.relatedInformation?.[0].location.range.start.line, 4);
    assert.equal(device.relatedInformation?.[0].message, "devices are defined here");
  });

  void test("a YAML syntax error, and a schema error next to an error of meaning", async () => {
    const dir = tempDir();
    const syntax = markedDoc(dir, "name: x\nrun: ⟨here⟩device: laptop\n");
    const [d] = await service().doValidation(syntax.document);
    assert.equal(d.code, "yaml/syntax");
    assert.deepEqual(d.range.start, syntax.at[0]);

    const mixed = markedDoc(
      dir,
      yaml`
      name: x
      model: { path: ${sileroModel} }
      ⟨here⟩quantise: { method: fp16 }
      run: { device: ⟨here⟩phone }
    `,
    );
    const diagnostics = await service().doValidation(mixed.document);
    diagnosticAt(diagnostics, "schema/unknown-key", mixed.at[0]);
    diagnosticAt(diagnostics, "ref/unknown-device", mixed.at[1]);
  });

  void test("a method the provider cannot run, and budgets that contradict, point at the other budget", async () => {
    const { document, at } = markedDoc(
      tempDir(),
      yaml`
      name: x
      model: { path: ${sileroModel} }
      quantize: { method: ⟨here⟩int4-weight-only }
      compile: { provider: coreml }
      budgets:
        latency_p50_ms: ⟨here⟩30
        ⟨here⟩latency_p95_ms: 20
    `,
    );
    const diagnostics = await service().doValidation(document);
    const method = diagnosticAt(diagnostics, "quantize/provider", at[0]);
    assert.match(messageOf(method), /MatMulNBits, which Core ML cannot run/);
    const budget = diagnosticAt(diagnostics, "budget/contradiction", at[1]);
    assert.deepEqual(budget.relatedInformation?.[0].location.range.start, at[2]);
  });

  void test("an unsaved buffer is checked without its files", async () => {
    const document = TextDocument.create(
      "untitled:Untitled-1",
      "edge-recipe",
      1,
      "name: x\nmodel: { path: models/m.onnx }\nrun: { device: phone }\n",
    );
    const diagnostics = await service().doValidation(document);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ["ref/unknown-device"],
      describeDiagnostics(diagnostics),
    );
  });
});

void suite("doValidation: per-node quantization findings", () => {
  const findings = [
    { node: "/a/MatMul", opType: "MatMul", sqnrDb: 30.5 },
    { node: "/lm_head/MatMul", opType: "MatMul", sqnrDb: 12.34 },
    { node: "/b/Conv", sqnrDb: 18 },
    { node: "/c/Conv", sqnrDb: 40 },
    { node: "/d/Gemm", sqnrDb: 25 },
    { node: "/e/Gemm", sqnrDb: 22 },
    { node: "/f/Gemm", sqnrDb: 50 },
  ];

  void test("the worst five, as information on the listed node's name or on `quantize`, with the node as data", async () => {
    const { document, at } = markedDoc(
      tempDir(),
      yaml`
      name: x
      model: { path: ${sileroModel} }
      ⟨here⟩quantize:
        method: int8-dynamic
        include: { nodes: [⟨here⟩/lm_head/MatMul, /a/MatMul] }
    `,
    );
    const diagnostics = (await service(diskWorld({ quantFindings: findings })).doValidation(document)).filter(
      (d) => d.code === "quant/node-error",
    );
    assert.equal(diagnostics.length, 5, describeDiagnostics(diagnostics));
    const lmHead = diagnostics[0];
    assert.equal(
      messageOf(lmHead),
      "node /lm_head/MatMul (MatMul): SQNR 12.3 dB after int8-dynamic (worst 5 of 7 shown)",
    );
    assert.deepEqual(lmHead.range.start, at[1]);
    assert.equal(lmHead.severity, DiagnosticSeverity.Information);
    assert.deepEqual(lmHead.data, { node: "/lm_head/MatMul" });
    const conv = diagnostics.find((d) => messageOf(d).startsWith("node /b/Conv:"));
    assert.deepEqual(conv?.range.start, at[0]);
    assert.ok(!diagnostics.some((d) => /\/c\/Conv|\/f\/Gemm/.test(messageOf(d))));
  });
});
