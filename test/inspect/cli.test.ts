// `edge inspect` through the CLI dispatcher with a captured CliIO: the table and --json on a real model, input
// shapes, and errors: a bad file's message names the file and the byte offset; bad flags are usage errors.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { main } from "../../engine/cli/main";
import type { CliIO } from "../../engine/cli/io";
import { parseInputShapes } from "../../engine/cli/inspect-command";
import type { InspectReport } from "../../engine/inspect/report";
import { fixtureModels } from "../onnx/corpus";

const dir = mkdtempSync(join(tmpdir(), "edge-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function edge(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: process.cwd() };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

void test("edge inspect prints a table for a real model", async () => {
  const { code, stdout, stderr } = await edge("inspect", fixtureModels.ocrCls, "--input-shape", "x=1,3,48,192");
  assert.equal(code, 0, stderr);
  assert.equal(stderr, "");
  const lines = stdout.split("\n");
  assert.match(lines[0], /^model\s+ch_ppocr_mobile_v2\.0_cls_infer\.onnx \(579\.0 kB\)$/);
  assert.match(stdout, /ONNX IR \d+; opsets ai\.onnx 9/);
  assert.match(
    stdout,
    /^inputs\s+x\s+float32\s+\[p2o\.DynamicDimension\.0, 3, p2o\.DynamicDimension\.1, p2o\.DynamicDimension\.2\]$/m,
  );
  assert.match(stdout, /^nodes\s+471 top level \(no subgraphs or functions\)$/m);
  assert.match(stdout, /^ops \(all\)\s+Constant 250, Conv 53, BatchNormalization 35, Mul 27$/m);
  assert.match(stdout, /^\s+initializers none; Constant nodes 133,665 in 250 tensors \(534\.7 kB\)$/m);
  assert.match(stdout, /^parameters\s+[\d,]+ \(/m);
  assert.match(stdout, /^memory\s+~[\d.]+ [kM]B estimated peak = 534\.7 kB weights \+ [\d.]+ [kM]B activations/m);
  assert.match(stdout, /for input shapes x=1,3,48,192/);
  assert.match(stdout, /^fits\s+1 MB MCU and up$|^fits\s+2 GB phone\/board and up; too big for a 1 MB MCU$/m);
});

void test("edge inspect --json prints the report", async () => {
  const { code, stdout } = await edge(
    "inspect",
    "--json",
    fixtureModels.sileroVad,
    "--input-shape=input=1,512",
    "--input-shape",
    "state=2,1,128",
  );
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as InspectReport;
  assert.equal(report.file.path, resolve(fixtureModels.sileroVad));
  assert.equal(report.file.sizeBytes, readFileSync(fixtureModels.sileroVad).length);
  assert.equal(report.model.irVersion, 8);
  assert.deepEqual(
    report.inputs.map((i) => i.name),
    ["input", "state", "sr"],
  );
  assert.equal(report.nodes.topLevel, 5);
  assert.ok(report.nodes.opsAll.If > 1);
  assert.deepEqual(report.memory.inputShapes, { input: [1, 512], state: [2, 1, 128], sr: [] });
  assert.equal(report.memory.estimatedPeakBytes, report.memory.weightsBytes + report.memory.peakActivationBytes);
  assert.equal(typeof report.fits.summary, "string");
});

void test("a bad file: the message names the file and the byte offset, exit code 4", async () => {
  const path = join(dir, "truncated.onnx");
  writeFileSync(path, readFileSync(fixtureModels.ocrCls).subarray(0, 5000));
  const { code, stdout, stderr } = await edge("inspect", path);
  assert.equal(code, 4);
  assert.equal(stdout, "");
  assert.match(
    stderr,
    new RegExp(
      `^edge inspect: ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(byte 3\\): not a readable ONNX model: at byte 3 \\(ModelProto.graph\\): length \\d+ runs past the end of the file`,
    ),
  );
  assert.match(stderr, /hint: the file looks truncated/);
  const json = join(dir, "model.onnx");
  writeFileSync(json, '{"graph": {}}');
  const second = await edge("inspect", json);
  assert.equal(second.code, 4);
  assert.match(second.stderr, /model\.onnx \(byte \d+\): .*\n  hint: this looks like a JSON file/);
});

void test("usage errors: no model, a malformed --input-shape, an unknown flag, an unknown input", async () => {
  assert.equal((await edge("inspect")).code, 2);
  const malformed = await edge("inspect", fixtureModels.ocrCls, "--input-shape", "x=1,a");
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /is not NAME=D1,D2/);
  assert.equal((await edge("inspect", fixtureModels.ocrCls, "--bogus")).code, 2);
  const unknown = await edge("inspect", fixtureModels.ocrCls, "--input-shape", "y=1");
  assert.equal(unknown.code, 2, "an --input-shape the model does not have is wrong usage, as README's exit codes say");
  assert.match(unknown.stderr, /no input or symbolic dim named "y"/);
  assert.deepEqual(parseInputShapes(["x=1,3,224,224", "sr=", "batch=4"]), { x: [1, 3, 224, 224], sr: [], batch: [4] });
  assert.throws(() => parseInputShapes(["x=1", "x=2"]), /twice/);
});
