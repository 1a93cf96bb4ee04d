// Input shapes too large to allocate: `[1, 3, 100000, 100000]` in `model.inputs` must not pass `edge validate` and
// then crash `edge run` with "RangeError: Invalid typed array length". The recipe checks (and so the language server)
// put an error at the shape when it cannot be allocated (more elements than one typed array holds, more bytes than
// any device class has), a warning when it exceeds the `peak_memory_mb` budget; the runner refuses it with a
// `run/input` error naming the input before it allocates anything.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { CliIO } from "../../engine/cli/io";
import { main } from "../../engine/cli/main";
import { createEventSink } from "../../engine/events";
import { isEdgeError } from "../../engine/errors";
import { checkRecipe, nodeCheckHost, parseRecipe, type Problem } from "../../engine/recipe";
import { resolveFeeds } from "../../engine/run/feeds";
import { bytesOf, DT, graph, model, node, tensor, valueInfo } from "../onnx/model-builder";
import { describe, expectProblem, marked, tempDir, yaml } from "../recipe/helpers";

const dir = tempDir("edge-huge-inputs-");
const modelPath = join(dir, "image.onnx");
writeFileSync(
  modelPath,
  bytesOf(
    model(
      graph({
        nodes: [node("Relu", ["x"], ["y"], {}, { name: "relu" })],
        inputs: [valueInfo("x", DT.FLOAT, [1, 3, "h", "w"]), valueInfo("ids", DT.INT8, ["n"])],
        outputs: [valueInfo("y", DT.FLOAT, [1, 3, "h", "w"])],
      }),
    ),
  ),
);

async function check(source: string): Promise<{ problems: Problem[]; at: { line: number; column: number }[] }> {
  const { text, at } = marked(source);
  const { problems } = await checkRecipe(parseRecipe(text, "test.edge.yaml"), nodeCheckHost(dir));
  return { problems, at };
}

const sizeProblems = (problems: Problem[]) => problems.filter((p) => p.code === "input/size");

void test("a shape of 1×3×100000×100000 float32 is an error at the shape: it cannot be allocated", async () => {
  const { problems, at } = await check(yaml`
    name: huge
    model:
      path: image.onnx
      inputs:
        x: { shape: ⟨here⟩[1, 3, 100000, 100000] }
        ids: { shape: [16] }
  `);
  expectProblem(problems, {
    code: "input/size",
    at: at[0],
    severity: "error",
    message: /`x`.*30,000,000,000 float32 elements.*120\.0 GB/,
  });
  assert.equal(sizeProblems(problems).length, 1, describe(problems));
});

void test("symbolic dims sized by compile.fixed_shapes count too; 2^31 int8 elements are more than one array holds", async () => {
  const { problems, at } = await check(yaml`
    name: huge
    model:
      path: image.onnx
      inputs:
        x: { shape: ⟨here⟩[1, 3, h, w] }
        ids: { shape: ⟨here⟩[2147483648] }
    compile:
      fixed_shapes: { h: 100000, w: 100000 }
  `);
  expectProblem(problems, { code: "input/size", at: at[0], severity: "error" });
  expectProblem(problems, { code: "input/size", at: at[1], severity: "error", message: /2\^31/ });
});

void test("an input larger than the peak_memory_mb budget is a warning at its shape; a small one is fine", async () => {
  const { problems, at } = await check(yaml`
    name: big
    model:
      path: image.onnx
      inputs:
        x: { shape: ⟨here⟩[1, 3, 1000, 1000] }
        ids: { shape: [16] }
    budgets:
      peak_memory_mb: 5
  `);
  expectProblem(problems, {
    code: "input/size",
    at: at[0],
    severity: "warning",
    message: /12\.0 MB.*peak_memory_mb.*5/,
  });
  assert.equal(sizeProblems(problems).length, 1, describe(problems));
  const fine = await check(yaml`
    name: fine
    model:
      path: image.onnx
      inputs:
        x: { shape: [1, 3, 224, 224] }
        ids: { shape: [16] }
    budgets:
      peak_memory_mb: 50
  `);
  assert.deepEqual(sizeProblems(fine.problems), [], describe(fine.problems));
});

void test("with a peak_memory_mb budget, the engine's estimate (weights + activations) is compared too", async () => {
  // x [1, 1] → Expand to [1000, 1000] float32: 4 B of input, 4 MB of activations.
  writeFileSync(
    join(dir, "expand.onnx"),
    bytesOf(
      model(
        graph({
          nodes: [node("Expand", ["x", "shape"], ["y"], {}, { name: "expand" })],
          inputs: [valueInfo("x", DT.FLOAT, [1, 1])],
          outputs: [valueInfo("y", DT.FLOAT, [1000, 1000])],
          initializers: [tensor("shape", [2], [1000, 1000], DT.INT64)],
        }),
      ),
    ),
  );
  const over = await check(yaml`
    name: expand
    model:
      path: expand.onnx
      inputs:
        x: { shape: [1, 1] }
    budgets:
      peak_memory_mb: ⟨here⟩1
  `);
  expectProblem(over.problems, {
    code: "input/size",
    at: over.at[0],
    severity: "warning",
    message: /estimates a peak of 4\.0+ MB.*peak_memory_mb/,
  });
  const under = await check(yaml`
    name: expand
    model:
      path: expand.onnx
      inputs:
        x: { shape: [1, 1] }
    budgets:
      peak_memory_mb: 10
  `);
  assert.deepEqual(sizeProblems(under.problems), [], describe(under.problems));
});

void test("edge validate fails on it and edge run refuses it without a crash", async () => {
  writeFileSync(
    join(dir, "huge.edge.yaml"),
    "name: huge\nmodel:\n  path: image.onnx\n  inputs:\n    x: { shape: [1, 3, 100000, 100000] }\n    ids: { shape: [16] }\nrun: { device: local }\n",
  );
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: dir };
  assert.equal(await main(["validate", "huge.edge.yaml"], io), 1);
  assert.match(out, /huge\.edge\.yaml:5:\d+: error: .*`x`/);
  const code = await main(["run", "huge.edge.yaml", "--out", join(dir, "out")], io);
  assert.equal(code, 3, err); // recipe invalid, not 70 (internal error)
  assert.doesNotMatch(err, /RangeError|internal error/);
  assert.match(err, /huge\.edge\.yaml:5:\d+: .*input `x` is 30,000,000,000 float32 elements/);
});

void test("the runner refuses an input it cannot allocate with run/input naming it, before allocating", () => {
  const signature = {
    irVersion: 8,
    opsetImports: [{ domain: "", version: 17 }],
    inputs: [{ name: "x", dtype: "float32", dims: [1, 3, "h", "w"] }],
    outputs: [{ name: "y", dtype: "float32", dims: [1, 3, "h", "w"] }],
  };
  const sink = createEventSink(() => {});
  const plan = (shape: number[]) => ({ modelPath, outDir: dir, inputs: { x: { shape } } });
  assert.throws(
    () => resolveFeeds(signature, plan([1, 3, 100000, 100000]), sink),
    (e: unknown) =>
      isEdgeError(e) && e.code === "run/input" && /input "x"/.test(e.message) && /elements|bytes/.test(e.message),
  );
  assert.throws(
    () => resolveFeeds(signature, { modelPath, outDir: dir, dims: { h: 2 ** 20, w: 2 ** 20 } }, sink),
    (e: unknown) => isEdgeError(e) && e.code === "run/input" && /input "x"/.test(e.message),
  );
  const ok = resolveFeeds(signature, plan([1, 3, 4, 4]), sink);
  assert.equal(ok.samples[0].x.data.length, 48);
});
