// No writing command may write over the model it reads: not the .onnx file, not an external data file it
// references, and not through another name for one of them (a symlink, a hard link, a `dir/../` path), nor through
// the companion data file the writer puts beside its output. Each case runs on a fresh source model and checks that
// the command is refused with `io/write` (exit 6) naming both paths, and that the source's files are byte for byte
// what they were and the model still loads: quantizeModel with every method, compileModel, `edge quantize` with
// every method, `edge compile`, and `edge run` with quantize and compile steps.
import assert from "node:assert/strict";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { compileModel } from "../../engine/compile/compile-model";
import { EdgeError } from "../../engine/errors";
import { quantizeModel } from "../../engine/quantize/quantize-model";
import { quantMethods, type QuantMethod, type QuantizeOptions } from "../../engine/quantize/types";
import {
  assertLoads,
  calibrationSample,
  collidingOutputs,
  edge,
  fingerprint,
  type SourceModel,
  writeCalibrationNpy,
  writeSourceModel,
} from "./fixtures";

const root = mkdtempSync(join(tmpdir(), "edge-protect-sources-"));
after(() => rmSync(root, { recursive: true, force: true }));

let serial = 0;
/** A fresh folder under the test's temp folder. */
function folder(name: string): string {
  const dir = join(root, `${serial++}-${name.replace(/[^a-z0-9]+/gi, "-")}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface Case {
  label: string;
  source: SourceModel;
  out: string;
}

/** Every colliding output for a fresh source each, plus the companion case (`OUT.data` is the source's data file). */
async function cases(name: string): Promise<Case[]> {
  const list: Case[] = [];
  for (let i = 0; ; i++) {
    const dir = folder(`${name}-${i}`);
    const source = await writeSourceModel(join(dir, "src"));
    const outputs = collidingOutputs(source, join(dir, "aside"));
    if (i >= outputs.length) break;
    list.push({ label: outputs[i].label, source, out: outputs[i].out });
  }
  const dir = folder(`${name}-companion`);
  const source = await writeSourceModel(join(dir, "src"), "model.onnx", "weights.onnx.data");
  list.push({
    label: "an output whose companion data file is the source's",
    source,
    out: join(source.dir, "weights.onnx"),
  });
  return list;
}

/** Runs `check` on every case and fails once, listing every case that failed (not only the first). */
async function eachCase(list: Case[], check: (c: Case) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  for (const c of list) {
    try {
      await check(c);
    } catch (e) {
      failures.push((e as Error).message.split("\n")[0]);
    }
  }
  assert.deepEqual(failures, []);
}

function quantizeOptions(method: QuantMethod): QuantizeOptions {
  return method === "int8-static"
    ? { method, calibration: { method: "minmax", samples: [calibrationSample()] } }
    : { method, ...(method === "int4-weight-only" ? { blockSize: 32 } : {}) };
}

/** The text names the output, as given or made absolute, or its companion data file. */
function namesOutput(text: string, out: string): boolean {
  return [out, resolve(out)].some((path) => text.includes(path) || text.includes(`${path}.data`));
}

/** The refusal names the output and the source file, and the source is untouched and still loads. */
async function assertRefused(c: Case, before: string[], error: unknown): Promise<void> {
  assert.ok(error instanceof EdgeError, `${c.label}: expected an EdgeError, got ${String(error)}`);
  assert.equal(error.code, "io/write", `${c.label}: ${error.message}`);
  assert.ok(namesOutput(error.message, c.out), `${c.label}: ${error.message}`);
  assert.ok(
    error.message.includes(c.source.model) || error.message.includes(c.source.data),
    `${c.label}: the message names the source file: ${error.message}`,
  );
  assert.deepEqual(fingerprint(c.source), before, `${c.label}: the source's files are unchanged`);
  await assertLoads(c.source);
}

for (const method of quantMethods) {
  void test(`quantizeModel (${method}) refuses every output that is one of the source model's files`, async () => {
    await eachCase(await cases(`lib-${method}`), async (c) => {
      const before = fingerprint(c.source);
      const error = await quantizeModel(c.source.model, c.out, quantizeOptions(method)).then(
        () => undefined,
        (e: unknown) => e,
      );
      await assertRefused(c, before, error);
    });
  });
}

void test("compileModel refuses every output that is one of the source model's files", async () => {
  await eachCase(await cases("lib-compile"), async (c) => {
    const before = fingerprint(c.source);
    const error = await compileModel(c.source.model, c.out, { optimization: "basic" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await assertRefused(c, before, error);
  });
});

/**
 * The CLI exits 6 with an io/write message naming the output (when `c.out` is given) and the source file; the
 * source is untouched.
 */
async function assertCliRefused(
  c: Omit<Case, "out"> & { out?: string },
  before: string[],
  r: ReturnType<typeof edge>,
): Promise<void> {
  assert.equal(r.signal, null, `${c.label}: the command did not finish`);
  assert.equal(r.status, 6, `${c.label}: ${r.stderr}`);
  assert.match(r.stderr, /refusing to write/, c.label);
  if (c.out) assert.ok(namesOutput(r.stderr, c.out), `${c.label}: ${r.stderr}`);
  assert.ok(r.stderr.includes(c.source.model) || r.stderr.includes(c.source.data), `${c.label}: ${r.stderr}`);
  assert.deepEqual(fingerprint(c.source), before, `${c.label}: the source's files are unchanged`);
  await assertLoads(c.source);
}

for (const method of quantMethods) {
  void test(`edge quantize --method ${method} refuses every output that is one of the source model's files`, async () => {
    await eachCase(await cases(`cli-${method}`), async (c) => {
      const before = fingerprint(c.source);
      const extra = method === "int8-static" ? ["--calibration", writeCalibrationNpy(folder("calibration"))] : [];
      const r = edge(root, "quantize", c.source.model, "--method", method, ...extra, "-o", c.out);
      await assertCliRefused(c, before, r);
    });
  });
}

void test("edge compile refuses every output that is one of the source model's files", async () => {
  await eachCase(await cases("cli-compile"), async (c) => {
    const before = fingerprint(c.source);
    const r = edge(root, "compile", c.source.model, "--provider", "cpu", "--optimization", "basic", "-o", c.out);
    await assertCliRefused(c, before, r);
  });
});

void test("edge compile refuses a source file named like partitions.json, which it writes beside OUT", async () => {
  const dir = folder("cli-compile-partitions");
  const source = await writeSourceModel(join(dir, "src"), "model.onnx", "partitions.json");
  const before = fingerprint(source);
  const out = join(source.dir, "compiled.onnx");
  const r = edge(root, "compile", source.model, "--provider", "nnapi", "--optimization", "basic", "-o", out);
  await assertCliRefused({ label: "partitions.json", source, out: source.data }, before, r);
});

const recipe = (modelPath: string, steps: string) => `name: protect
model:
  path: ${modelPath}
${steps}
run:
  warmup: 0
  iterations: 1
`;

/** `edge run` writing into `out`: refused before anything is written, with exit 6, the source untouched. */
async function assertRunRefused(label: string, source: SourceModel, out: string, steps: string): Promise<void> {
  const before = fingerprint(source);
  const cwd = folder(`run-${label}`);
  writeFileSync(join(cwd, "r.edge.yaml"), recipe(source.model, steps));
  const r = edge(cwd, "run", "r.edge.yaml", "--out", out);
  await assertCliRefused({ label, source }, before, r);
}

void test("edge run refuses a run folder where a step would write over one of the source model's files", async () => {
  const quantize = "quantize: { method: int8-dynamic }";
  const both = "quantize: { method: int8-dynamic }\ncompile: { provider: cpu, optimization: basic }";
  // The quantized model's name is the source model's, in the source's own folder.
  let source = await writeSourceModel(folder("run-same"), "model.int8-dynamic.onnx");
  await assertRunRefused("same path", source, source.dir, quantize);
  // The quantized model's name is the source's external data file.
  source = await writeSourceModel(folder("run-data"), "model.onnx", "model.int8-dynamic.onnx");
  await assertRunRefused("external data", source, source.dir, quantize);
  // The compiled model's companion data file is the source's external data file (compile reads the quantized
  // model, so only the run knows the original).
  source = await writeSourceModel(folder("run-compile"), "model.onnx", "model.compiled.onnx.data");
  await assertRunRefused("compile companion", source, source.dir, both);
  // A compile step alone: the compiled model's name is the source model's.
  source = await writeSourceModel(folder("run-compile-only"), "model.compiled.onnx");
  await assertRunRefused("compile only", source, source.dir, "compile: { provider: cpu, optimization: basic }");
  // The report's name is the source's external data file.
  source = await writeSourceModel(folder("run-report"), "model.onnx", "report.json");
  await assertRunRefused("report", source, source.dir, quantize);
  // A symlink to the run folder, and a dir/../ path to it.
  source = await writeSourceModel(folder("run-symlink"), "model.onnx", "model.int8-dynamic.onnx");
  const link = join(folder("run-symlink-aside"), "runs");
  symlinkSync(source.dir, link);
  await assertRunRefused("symlinked folder", source, link, quantize);
  source = await writeSourceModel(folder("run-dotdot"), "model.onnx", "model.int8-dynamic.onnx");
  mkdirSync(join(source.dir, "sub"));
  await assertRunRefused("dir/../", source, `${source.dir}/sub/..`, quantize);
});

void test("edge run refuses a run folder holding a symlink or a hard link to a source file under a name it writes", async () => {
  const quantize = "quantize: { method: int8-dynamic }";
  let source = await writeSourceModel(folder("run-file-symlink"));
  let out = folder("run-file-symlink-out");
  symlinkSync(source.data, join(out, "model.int8-dynamic.onnx"));
  await assertRunRefused("symlink in the run folder", source, out, quantize);
  source = await writeSourceModel(folder("run-file-hardlink"));
  out = folder("run-file-hardlink-out");
  linkSync(source.data, join(out, "report.md"));
  await assertRunRefused("hard link in the run folder", source, out, quantize);
});

void test("writing into the model's own folder is fine when no file name collides", async () => {
  const source = await writeSourceModel(folder("fine"));
  const before = fingerprint(source);
  const q = await quantizeModel(source.model, join(source.dir, "model.int8.onnx"), { method: "int8-dynamic" });
  assert.equal(q.quantized.length, 1);
  const cwd = folder("fine-run");
  writeFileSync(join(cwd, "r.edge.yaml"), recipe(source.model, "quantize: { method: int8-dynamic }"));
  const r = edge(cwd, "run", "r.edge.yaml", "--out", source.dir);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fingerprint(source), before);
  await assertLoads(source);
});

void test("edge run refuses a reused run folder whose earlier run's files it would clear include the source model", async () => {
  // The folder held an earlier run (its report.json is there), and the source is one of that run's models, named
  // as a run names them: clearing the earlier run's files before the new run must not remove it.
  const source = await writeSourceModel(folder("run-reused"), "model.fp16.onnx");
  writeFileSync(join(source.dir, "report.json"), "{}\n");
  await assertRunRefused("earlier run's model", source, source.dir, "quantize: { method: int8-dynamic }");
});
