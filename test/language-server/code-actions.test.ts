// Quick fixes: each is applied with TextDocument.applyEdits, the result re-parsed and re-validated: the YAML stays
// valid and the diagnostic it fixes is gone. Did-you-mean, missing keys, missing devices and datasets, and
// excluding a node from its per-node quantization finding (block and flow styles).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe as suite, test } from "node:test";
import { CodeActionKind, type Diagnostic, type Position } from "vscode-languageserver-types";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { parse } from "yaml";
import type { LanguageService } from "../../language-server/service/language-service";
import {
  applyWorkspaceEdit,
  describeDiagnostics,
  diskWorld,
  docAt,
  markedDoc,
  messageOf,
  repoRoot,
  service,
  sileroModel,
  tempDir,
} from "./structure-helpers";

const model = `{ path: ${sileroModel}, inputs: { input: { shape: [1, 512] }, state: { shape: [2, 1, 128] }, sr: { shape: [], value: 16000 } } }`;

/** Applies the action whose title matches, after checking its kind and diagnostics; returns the new text and its diagnostics. */
async function applyFix(
  s: LanguageService,
  document: TextDocument,
  diagnostic: Diagnostic,
  title: RegExp,
): Promise<{ text: string; after: Diagnostic[] }> {
  const actions = s.getCodeActions(document, diagnostic.range, [diagnostic]);
  const action = actions.find((a) => title.test(a.title));
  assert.ok(
    action,
    `no action ${title} for ${String(diagnostic.code)}; got ${actions.map((a) => a.title).join(", ") || "none"}`,
  );
  assert.equal(action.kind, CodeActionKind.QuickFix);
  assert.deepEqual(action.diagnostics, [diagnostic]);
  const fixed = applyWorkspaceEdit(document, action.edit);
  const after = await s.doValidation(fixed);
  assert.ok(!after.some((d) => d.code === "yaml/syntax"), `invalid YAML after "${action.title}":\n${fixed.getText()}`);
  return { text: fixed.getText(), after };
}

/** The diagnostic with `code` at `at`, fixed by the action matching `title`; asserts nothing with that code and message stays. */
async function fixes(
  source: string,
  code: string,
  title: RegExp,
  options: { at?: number; s?: LanguageService } = {},
): Promise<string> {
  const s = options.s ?? service();
  const { document, at } = markedDoc(tempDir(), source);
  const before = await s.doValidation(document);
  const position: Position | undefined = at[options.at ?? 0];
  const diagnostic = before.find(
    (d) =>
      d.code === code &&
      (!position || (d.range.start.line === position.line && d.range.start.character === position.character)),
  );
  assert.ok(diagnostic, `no ${code} at ${position?.line}:${position?.character}:\n${describeDiagnostics(before)}`);
  const { text, after } = await applyFix(s, document, diagnostic, title);
  assert.ok(
    !after.some((d) => d.code === code && messageOf(d) === messageOf(diagnostic)),
    `still there after the fix:\n${text}\n${describeDiagnostics(after)}`,
  );
  return text;
}

void suite("did you mean", () => {
  void test("a misspelt top-level key, an enum value, a device name in quotes (kept)", async () => {
    const text = await fixes(
      `name: x\nmodel: ${model}\n⟨here⟩quantise:\n  method: int8-dynamic\n`,
      "schema/unknown-key",
      /Change to `quantize`/,
    );
    assert.match(text, /^quantize:\n {2}method: int8-dynamic$/m);
    assert.match(
      await fixes(`name: x\nmodel: ${model}\nquantize: { method: ⟨here⟩int4 }\n`, "schema/enum", /int4-weight-only/),
      /method: int4-weight-only \}/,
    );
    const quoted = await fixes(
      `name: x\nmodel: ${model}\ndevices: { laptop: { local: {} } }\nrun: { device: ⟨here⟩"laptp" }\n`,
      "ref/unknown-device",
      /Change to `laptop`/,
    );
    assert.match(quoted, /device: "laptop"/);
  });

  void test("on the demo recipe: a misspelt run key", async () => {
    const demo = readFileSync(join(repoRoot, "samples/demo.edge.yaml"), "utf8").replace(
      "  iterations: 100",
      "  ⟨here⟩iteratons: 100",
    );
    const s = service();
    const { document, at } = markedDoc(join(repoRoot, "samples"), demo, "demo-copy.edge.yaml");
    const diagnostic = (await s.doValidation(document)).find((d) => d.code === "schema/unknown-key");
    assert.deepEqual(diagnostic?.range.start, at[0]);
    const { text, after } = await applyFix(s, document, diagnostic!, /Change to `iterations`/);
    assert.equal(text, readFileSync(join(repoRoot, "samples/demo.edge.yaml"), "utf8"));
    assert.deepEqual(after, [], describeDiagnostics(after));
  });

  void test("no rename of a key into one its map already has", async () => {
    const s = service();
    const document = docAt(
      join(tempDir(), "r.edge.yaml"),
      `name: x\nmodel: ${model}\nrun: { iterations: 5, iteratons: 6 }\n`,
    );
    const diagnostic = (await s.doValidation(document)).find((d) => d.code === "schema/unknown-key")!;
    assert.deepEqual(s.getCodeActions(document, diagnostic.range, [diagnostic]), []);
  });
});

void suite("missing keys", () => {
  void test("a missing `path` in a block map, a missing `host` in a flow map, a missing `model` at the root", async () => {
    assert.match(
      await fixes(`name: x\n⟨here⟩model:\n  inputs: {}\n`, "schema/missing-key", /Add `path`/),
      /^model:\n {2}inputs: \{\}\n {2}path: models\/tiny-lm\.onnx\n$/m,
    );
    const ssh = await fixes(
      `name: x\nmodel: ${model}\ndevices:\n  pi:\n    ⟨here⟩ssh: { user: pi }\n`,
      "schema/missing-key",
      /Add `host`/,
    );
    assert.match(ssh, /ssh: \{ user: pi, host: [^,}]+ \}/);
    const root = await fixes(`⟨here⟩name: x\nrun: { iterations: 5 }\n`, "schema/missing-key", /Add `model`/);
    assert.deepEqual(parse(root), { name: "x", run: { iterations: 5 }, model: { path: "models/tiny-lm.onnx" } });
  });

  void test("a device without a transport: one fix per transport", async () => {
    const source = `name: x\nmodel: ${model}\ndevices:\n  ⟨here⟩a: { threads: 2 }\nrun: { device: a }\n`;
    for (const transport of ["local", "ssh", "adb"]) {
      const text = await fixes(source, "schema/missing-key", new RegExp(`Add \`${transport}\``));
      assert.ok(transport in (parse(text) as { devices: { a: object } }).devices.a, text);
    }
  });

  void test("an empty recipe gets `name` and `model`, after its comments", async () => {
    const text = await fixes("# my recipe\n", "schema/missing-key", /Add `name` and `model`/);
    assert.equal(text, "# my recipe\nname: recipe\nmodel:\n  path: models/tiny-lm.onnx\n");
  });
});

void suite("missing devices and datasets", () => {
  void test("add a device under a block `devices` whose entries are flow maps (the demo's style)", async () => {
    const text = await fixes(
      `name: x\nmodel: ${model}\ndevices:\n  laptop: { local: {} }  # this one\nrun:\n  device: ⟨here⟩pixel9\n`,
      "ref/unknown-device",
      /\(adb\)/,
    );
    assert.match(text, /^devices:\n {2}laptop: \{ local: \{\} \} {2}# this one\n {2}pixel9: \{ adb: \{\} \}\nrun:/m);
  });

  void test("create the `devices` section; add into a flow `devices`", async () => {
    const created = await fixes(`name: x\nmodel: ${model}\nrun: { device: ⟨here⟩pi }`, "ref/unknown-device", /\(ssh\)/);
    assert.deepEqual((parse(created) as { devices: unknown }).devices, { pi: { ssh: { host: "pi" } } });
    assert.match(created, /\}\ndevices:\n {2}pi: \{ ssh: \{ host: pi \} \}\n$/);
    const flow = await fixes(
      `name: x\nmodel: ${model}\ndevices: { laptop: { local: {} } }\nrun: { device: ⟨here⟩phone }\n`,
      "ref/unknown-device",
      /\(local\)/,
    );
    assert.match(flow, /devices: \{ laptop: \{ local: \{\} \}, phone: \{ local: \{\} \} \}/);
  });

  void test("add a dataset that evaluate.data names", async () => {
    const text = await fixes(
      `name: x\nmodel: ${model}\nevaluate:\n  data: ⟨here⟩eval\n  metrics: [cosine]\n`,
      "ref/unknown-dataset",
      /Add dataset `eval`/,
    );
    assert.deepEqual((parse(text) as { data: unknown }).data, { eval: { path: "data/eval.npy", format: "npy" } });
  });
});

void suite("exclude a node from its per-node finding", () => {
  const findings = [{ node: "/lm_head/MatMul", opType: "MatMul", sqnrDb: 9.5 }];
  const excluded = async (quantize: string): Promise<{ text: string; nodes: unknown }> => {
    const s = service(diskWorld({ quantFindings: findings }));
    const document = docAt(
      join(tempDir(), "r.edge.yaml"),
      `name: x\nmodel: ${model}\n${quantize}run: { iterations: 10 }\n`,
    );
    const finding = (await s.doValidation(document)).find((d) => d.code === "quant/node-error");
    assert.ok(finding);
    const { text, after } = await applyFix(s, document, finding, /Exclude `\/lm_head\/MatMul` from quantization/);
    assert.ok(!after.some((d) => d.severity === 1), describeDiagnostics(after));
    const moved = after.find((d) => d.code === "quant/node-error");
    assert.ok(moved && s.getCodeActions(document, moved.range, [moved]).length >= 0);
    return { text, nodes: (parse(text) as { quantize: { exclude: { nodes: unknown } } }).quantize.exclude.nodes };
  };

  void test("block quantize without exclude; flow quantize", async () => {
    const block = await excluded("quantize:\n  method: int8-dynamic\n");
    assert.deepEqual(block.nodes, ["/lm_head/MatMul"]);
    assert.match(block.text, /^quantize:\n {2}method: int8-dynamic\n {2}exclude:\n {4}nodes: \[\/lm_head\/MatMul\]\n/m);
    const flow = await excluded("quantize: { method: int8-dynamic }\n");
    assert.match(flow.text, /^quantize: \{ method: int8-dynamic, exclude: \{ nodes: \[\/lm_head\/MatMul\] \} \}$/m);
  });

  void test("an existing exclude with ops; block and flow node lists", async () => {
    assert.deepEqual((await excluded("quantize:\n  method: int8-dynamic\n  exclude: { ops: [Gather] }\n")).nodes, [
      "/lm_head/MatMul",
    ]);
    const blockList = await excluded("quantize:\n  method: int8-dynamic\n  exclude:\n    nodes:\n      - /a\n");
    assert.match(blockList.text, /nodes:\n {6}- \/a\n {6}- \/lm_head\/MatMul\n/);
    assert.deepEqual((await excluded("quantize:\n  method: int8-dynamic\n  exclude:\n    nodes: [/a]\n")).nodes, [
      "/a",
      "/lm_head/MatMul",
    ]);
    assert.deepEqual((await excluded("quantize:\n  method: int8-dynamic\n  exclude:\n    nodes: []\n")).nodes, [
      "/lm_head/MatMul",
    ]);
  });

  void test("no action once the node is excluded, or without `quantize`", async () => {
    const s = service(diskWorld({ quantFindings: findings }));
    for (const text of [
      `name: x\nmodel: ${model}\nquantize: { method: fp16, exclude: { nodes: [/lm_head/MatMul] } }\n`,
      `name: x\nmodel: ${model}\n`,
    ]) {
      const document = docAt(join(tempDir(), "r.edge.yaml"), text);
      const finding = (await s.doValidation(document)).find((d) => d.code === "quant/node-error")!;
      assert.deepEqual(s.getCodeActions(document, finding.range, [finding]), []);
    }
  });
});
