// The checks of meaning on a recipe that breaks the schema somewhere (they run on the parts that match it,
// without cascades), and the checks of methods against providers, values against their dtype, and budgets
// against each other. Positions are marked ⟨here⟩.
import assert from "node:assert/strict";
import { describe as suite, test } from "node:test";
import { relative } from "node:path";
import { checkRecipe, nodeCheckHost, parseRecipe } from "../../engine/recipe";
import { describe, expectProblem, marked, ocrModel, repoRoot, sileroModel, yaml } from "./helpers";

const silero = relative(repoRoot, sileroModel);
const ocr = relative(repoRoot, ocrModel);

async function check(source: string) {
  const { text, at } = marked(source);
  const { problems } = await checkRecipe(parseRecipe(text, "test.edge.yaml"), nodeCheckHost(repoRoot));
  return { problems, at, codes: problems.map((p) => p.code).sort() };
}

void suite("checkRecipe on a recipe that breaks the schema", () => {
  void test("an unknown run.device is reported while a key elsewhere is misspelt", async () => {
    const { problems, at, codes } = await check(yaml`
      name: x
      model: { path: ${silero}, inputs: { input: { shape: [1, 512] }, state: { shape: [2, 1, 128] }, sr: { shape: [], value: 16000 } } }
      quantize:
        method: int8-dynamic
        ⟨here⟩per_chanel: true
      devices:
        laptop: { local: {} }
      run:
        device: ⟨here⟩laptp
    `);
    expectProblem(problems, { code: "schema/unknown-key", at: at[0] });
    expectProblem(problems, { code: "ref/unknown-device", at: at[1], message: /did you mean `laptop`/ });
    assert.deepEqual(codes, ["ref/unknown-device", "schema/unknown-key"], describe(problems));
  });

  void test("a malformed device or dataset still counts as defined: no unknown-name cascade", async () => {
    const { problems, codes } = await check(yaml`
      name: x
      model: { path: ${silero}, inputs: { input: { shape: [1, 512] }, state: { shape: [2, 1, 128] }, sr: { shape: [], value: 16000 } } }
      data:
        calib: { path: ${silero}, format: npyy }
      quantize: { method: int8-static, calibration: { data: calib } }
      devices:
        phone: { adbb: {} }
      run: { device: phone }
    `);
    assert.deepEqual(codes, ["schema/enum", "schema/missing-key", "schema/unknown-key"], describe(problems));
  });

  void test("a part cut out is not reported missing: misspelt metrics, broken calibration, broken shape", async () => {
    const { problems, codes } = await check(yaml`
      name: x
      model:
        path: ${silero}
        inputs:
          input: { shape: [1, big] , range: [-1, 1] }
          state: { shape: [2, 1, 128], fill: zeros }
          sr: { shape: [], value: 16000 }
      data:
        calib: { path: ${silero}, format: npy }
      quantize: { method: int8-static, calibration: { samples: 8 } }
      evaluate: { metric: [cosine] }
      budgets: { cosine_min: 0.99 }
    `);
    // Reported once each: the missing calibration.data and the unknown `metric` key. Not: "int8-static without
    // calibration", "cosine_min is never checked", "dataset calib is not used".
    assert.deepEqual(codes, ["model/unknown-dim", "schema/missing-key", "schema/unknown-key"], describe(problems));
  });

  void test("a recipe without `model` still gets the checks that do not need it", async () => {
    const { problems, at } = await check(yaml`
      ⟨here⟩name: x
      run: { device: ⟨here⟩phone }
    `);
    expectProblem(problems, { code: "schema/missing-key", at: at[0], message: /the recipe is missing `model`/ });
    expectProblem(problems, { code: "ref/unknown-device", at: at[1] });
    assert.equal(problems.length, 2, describe(problems));
  });

  void test("a recipe that is not a map, and YAML syntax errors, get no checks of meaning", async () => {
    assert.deepEqual((await check("just text\n")).codes, ["schema/type"]);
    assert.deepEqual((await check("name: x\nrun: device: y\n")).codes, ["yaml/syntax"]);
  });
});

void suite("checkRecipe: methods against providers", () => {
  void test("int4-weight-only on NNAPI and QNN devices: one warning per provider on the method", async () => {
    const { problems, at } = await check(yaml`
      name: lm
      model: { path: ${silero} }
      quantize: { method: ⟨here⟩int4-weight-only }
      devices:
        pixel8: { adb: {}, provider: nnapi }
        pixel9: { adb: {}, provider: nnapi }
        s24: { adb: {}, provider: qnn }
        laptop: { local: {} }
      run: { device: laptop }
    `);
    const found = problems.filter((p) => p.code === "quantize/provider");
    assert.equal(found.length, 2, describe(problems));
    expectProblem(problems, {
      code: "quantize/provider",
      at: at[0],
      severity: "warning",
      message: /MatMulNBits, which NNAPI cannot run.*\(devices `pixel8` and `pixel9`\)/,
    });
    assert.match(found.map((p) => p.message).join("\n"), /QNN cannot run.*\(device `s24`\)/);
  });

  void test("fp16 on the CPU provider is a note; qoperator on QNN warns on `format`", async () => {
    const fp16 = await check(`name: x\nmodel: { path: ${silero} }\nquantize: { method: ⟨here⟩fp16 }\n`);
    expectProblem(fp16.problems, {
      code: "quantize/provider",
      at: fp16.at[0],
      severity: "information",
      message: /smaller but not faster/,
    });
    const qop = await check(yaml`
      name: x
      model: { path: ${silero} }
      quantize: { method: int8-static, format: ⟨here⟩qoperator }
      compile: { provider: qnn }
    `);
    expectProblem(qop.problems, {
      code: "quantize/provider",
      at: qop.at[0],
      message: /QLinear operators, which QNN cannot run/,
    });
  });

  void test("int8-static (QDQ) on NNAPI, and int4 on CPU, are fine", async () => {
    const { problems } = await check(yaml`
      name: x
      model: { path: ${silero} }
      quantize: { method: int8-dynamic }
      devices: { laptop: { local: {} }, gpu: { ssh: { host: g }, provider: cuda } }
      run: { device: laptop }
    `);
    assert.ok(!problems.some((p) => p.code === "quantize/provider"), describe(problems));
  });
});

void suite("checkRecipe: values out of range, budgets that contradict", () => {
  void test("a range or value outside what the input's dtype holds", async () => {
    const { problems, at } = await check(yaml`
      name: ocr
      model:
        path: ${ocr}
        inputs:
          x: { shape: [1, 3, 48, 320], dtype: float32 }
          a: { shape: [1], dtype: uint8, range: ⟨here⟩[-1, 1] }
          b: { shape: [2], dtype: int8, value: ⟨here⟩[1, 300] }
          c: { shape: [1], dtype: float16, range: ⟨here⟩[0, 100000] }
    `);
    expectProblem(problems, {
      code: "input/range",
      at: at[0],
      severity: "error",
      message: /uint8 input `a` is \[-1, 1\]: -1, outside what uint8 holds \(0 to 255\)/,
    });
    expectProblem(problems, {
      code: "input/value",
      at: at[1],
      message: /contains 300, outside what int8 holds \(-128 to 127\)/,
    });
    expectProblem(problems, { code: "input/range", at: at[2], message: /values become infinite/ });
  });

  void test("peak_memory_mb below size_mb", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      budgets:
        size_mb: 12
        peak_memory_mb: ⟨here⟩8
    `);
    expectProblem(problems, {
      code: "budget/contradiction",
      at: at[0],
      severity: "warning",
      message: /`peak_memory_mb` \(8\) is below `size_mb` \(12\)/,
    });
  });
});
