// Escape sequences in names from models and recipes must reach a terminal visible, not interpreted: a node named
// "evil\x1b]0;pwned\x07" (an OSC sequence that sets the window title) or a recipe with such a name or file name. The
// CLI's human text (inspect, validate, run, errors) carries no ESC or BEL from them, and the run terminal's renderer
// writes only its own escape sequences (colours, erase-line).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { EngineEvent } from "../../common/events";
import { EventTextRenderer } from "../../common/event-text";
import type { CliIO } from "../../engine/cli/io";
import { main } from "../../engine/cli/main";
import { RunRenderer } from "../../extension/run/run-renderer";
import { bytesOf, DT, graph, model, node, valueInfo } from "../onnx/model-builder";

const EVIL = "evil\u001b]0;pwned\u0007";
const SHOWN = "evil\\x1b]0;pwned\\x07";
/** ESC, BEL and the other controls a terminal acts on (newline and tab excepted), DEL, C1, bidi overrides. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

const dir = mkdtempSync(join(tmpdir(), "edge-escapes-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function edge(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: dir };
  const code = await main(argv, io);
  return { code, out, err };
}

/** x [1, 4] → Relu named EVIL → y; `dangling` adds an input nobody produces, named EVIL too. */
function evilModel(file: string, dangling = false): string {
  const path = join(dir, file);
  const nodes = [node("Relu", ["x"], ["y"], {}, { name: EVIL })];
  if (dangling) nodes.push(node("Add", ["y", `${EVIL}.in`], ["z"], {}, { name: `${EVIL}.add` }));
  writeFileSync(
    path,
    bytesOf(
      model(
        graph({
          nodes,
          inputs: [valueInfo("x", DT.FLOAT, [1, 4])],
          outputs: [valueInfo(dangling ? "z" : "y", DT.FLOAT, [1, 4])],
        }),
      ),
    ),
  );
  return path;
}

void test("edge inspect: a node named with an OSC sequence is shown escaped, in text and JSON", async () => {
  const path = evilModel("evil.onnx");
  const text = await edge("inspect", path);
  assert.equal(text.code, 0, text.err);
  assert.doesNotMatch(text.out + text.err, CONTROL);
  assert.ok(text.out.includes(SHOWN), text.out);
  const json = await edge("inspect", "--json", path);
  assert.doesNotMatch(json.out + json.err, CONTROL);
  assert.equal(
    (JSON.parse(json.out) as { memory: { peakAt: { node: string } } }).memory.peakAt.node,
    EVIL,
    "the JSON keeps the name",
  );
  const broken = await edge("inspect", evilModel("evil-dangling.onnx", true));
  assert.doesNotMatch(broken.out + broken.err, CONTROL);
});

void test("edge validate: a recipe named with an OSC sequence and an input named so are shown escaped", async () => {
  const modelPath = evilModel("validate.onnx");
  writeFileSync(
    join(dir, "evil.edge.yaml"),
    `name: "evil\\e]0;pwned\\a"\nmodel:\n  path: ${modelPath}\n  inputs:\n    "x\\e]0;pwned\\a": { shape: [1, 4] }\n`,
  );
  for (const json of [false, true]) {
    const r = await edge("validate", "evil.edge.yaml", ...(json ? ["--json"] : []));
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.out + r.err, CONTROL);
    if (!json) assert.match(r.out, /x\\x1b\]0;pwned\\x07/);
  }
});

void test("edge run: a recipe file named with an OSC sequence, on a model with such a node; errors too", async () => {
  const modelPath = evilModel("run.onnx");
  const recipe = `${EVIL}.edge.yaml`;
  writeFileSync(
    join(dir, recipe),
    `name: evil\nmodel:\n  path: ${modelPath}\n  inputs:\n    x: { shape: [1, 4] }\nrun: { device: local, warmup: 1, iterations: 2 }\n`,
  );
  const r = await edge("run", recipe, "--out", join(dir, "run-out"));
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out + r.err, CONTROL);
  assert.ok(r.err.includes(SHOWN), r.err);

  const missing = await edge("inspect", join(dir, `${EVIL}-missing.onnx`));
  assert.equal(missing.code, 4);
  assert.doesNotMatch(missing.err, CONTROL);
  assert.ok(missing.err.includes(SHOWN), missing.err);
  const unknown = await edge(EVIL);
  assert.equal(unknown.code, 2);
  assert.doesNotMatch(unknown.err, CONTROL);
});

const evilRun: EngineEvent[] = [
  { type: "run/start", runId: "r1", recipe: `${EVIL}.edge.yaml`, device: EVIL, outDir: `/w/${EVIL}`, timeMs: 0 },
  { type: "step/start", step: "load", detail: `${EVIL}.onnx`, timeMs: 1 },
  { type: "progress", step: EVIL as "run", done: 1, total: 2, timeMs: 2 },
  { type: "log", level: "warning", message: `node ${EVIL} \u202eexe.txt`, timeMs: 3 },
  { type: "log", level: "info", message: EVIL, timeMs: 3 },
  { type: "step/end", step: EVIL as "run", ok: false, durationMs: 1, timeMs: 4 },
  { type: "budget", name: EVIL, limit: 1, actual: null, unit: EVIL, pass: null, reason: EVIL, timeMs: 5 },
  { type: "error", code: "run/input", message: `input ${EVIL}`, where: {}, hint: EVIL, timeMs: 6 },
  { type: "artifact", kind: "report.md", path: `/w/${EVIL}/report.md`, timeMs: 7 },
  { type: "run/end", ok: false, exitCode: 5, timeMs: 8 },
];

void test("the run terminal's renderer writes only its own escape sequences", () => {
  const r = new RunRenderer();
  const raw = evilRun.map((e) => r.render(e)).join("") + r.finish(5, false);
  // The renderer's own: SGR colours and "\r ESC[2K" (erase the progress line).
  const own = raw.replace(/\x1b\[[0-9;]*m/g, "").replace(/\r\x1b\[2K/g, "");
  assert.doesNotMatch(own.replace(/\r\n/g, "\n"), CONTROL);
  assert.ok(own.includes(SHOWN));
  assert.match(raw, /\x1b\[33m⚠ node evil\\x1b\]0;pwned\\x07 \\u202eexe\.txt\x1b\[0m/, "its colours stay");
  const plain = new EventTextRenderer();
  const text = evilRun.map((e) => plain.render(e)).join("") + plain.finish(5, false);
  assert.doesNotMatch(text, CONTROL);
});
