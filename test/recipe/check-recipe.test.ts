// Checks of meaning against the real silero-vad and PP-OCRv4 models: references, the model's inputs,
// files, option combinations and budgets, each at the exact position marked ⟨here⟩.
import assert from "node:assert/strict";
import { describe as suite, test } from "node:test";
import { relative } from "node:path";
import { checkRecipe, nodeCheckHost, parseRecipe, type RecipeCheckHost } from "../../engine/recipe";
import type { ModelSignature } from "../../engine/onnx/signature";
import { describe, expectProblem, marked, ocrModel, repoRoot, sileroModel, tempDir, writeFiles, yaml } from "./helpers";

const silero = relative(repoRoot, sileroModel);
const ocr = relative(repoRoot, ocrModel);

/** Parses and checks `source` as if the recipe sat at the repository root (so model paths are relative to it). */
async function check(source: string, host: RecipeCheckHost = nodeCheckHost(repoRoot)) {
  const { text, at } = marked(source);
  const { problems, signature, paths } = await checkRecipe(parseRecipe(text, "test.edge.yaml"), host);
  return { problems, signature, paths, at };
}

void suite("checkRecipe: references", () => {
  void test("an unknown run.device points at the value and suggests the close name", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      devices:
        pixel8: { adb: { serial: ABC } }
        laptop: { local: {} }
      run:
        device: ⟨here⟩pixel9
    `);
    const p = expectProblem(problems, {
      code: "ref/unknown-device",
      at: at[0],
      severity: "error",
      message: /`pixel9`, which is not under `devices`; did you mean `pixel8`\?/,
    });
    assert.match(p.hint ?? "", /pixel8, laptop/);
  });

  void test("`local` needs no declaration, and a fully described model has no problems", async () => {
    const { problems } = await check(yaml`
      name: x
      model:
        path: ${silero}
        inputs:
          input: { shape: [1, 512], dtype: float32, range: [-1, 1] }
          state: { shape: [2, 1, 128], fill: zeros }
          sr: { shape: [], dtype: int64, value: 16000 }
      run: { device: local }
    `);
    assert.deepEqual(problems, [], describe(problems));
  });

  void test("unknown datasets in quantize.calibration.data and evaluate.data", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      data:
        calib: { path: ${silero}, format: npy }
      quantize:
        method: int8-static
        calibration: { data: ⟨here⟩calibration }
      evaluate:
        data: ⟨here⟩eval
        metrics: [cosine]
    `);
    expectProblem(problems, {
      code: "ref/unknown-dataset",
      at: at[0],
      message: /`quantize.calibration.data` is `calibration`, which is not under `data`; did you mean `calib`\?/,
    });
    expectProblem(problems, { code: "ref/unknown-dataset", at: at[1], message: /`evaluate.data` is `eval`/ });
  });

  void test("a dataset nobody uses is a note on its key", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      data:
        ⟨here⟩spare: { path: ${silero}, format: npy }
    `);
    expectProblem(problems, { code: "ref/unused-dataset", at: at[0], severity: "information" });
  });
});

void suite("checkRecipe: the model", () => {
  void test("a missing model file is an error on model.path's value", async () => {
    const { problems, at, signature } = await check(yaml`
      name: x
      model:
        path: ⟨here⟩models/missing.onnx
    `);
    const p = expectProblem(problems, {
      code: "model/not-found",
      at: at[0],
      severity: "error",
      message: /`models\/missing.onnx` does not exist/,
    });
    assert.match(p.hint ?? "", /models\/missing\.onnx/);
    assert.equal(signature, undefined);
  });

  void test("a file that is not ONNX is model/invalid on model.path's value", async () => {
    const dir = tempDir();
    writeFiles(dir, { "not-a-model.onnx": "this is text, not protobuf\n" });
    const { problems, at } = await check(`name: x\nmodel: { path: ⟨here⟩not-a-model.onnx }\n`, nodeCheckHost(dir));
    expectProblem(problems, { code: "model/invalid", at: at[0], message: /cannot be read as an ONNX model/ });
  });

  void test("an input name the silero model does not have points at the name", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model:
        path: ${silero}
        inputs:
          input: { shape: [1, 512] }
          state: { shape: [2, 1, 128], fill: zeros }
          ⟨here⟩sample_rate: { shape: [], dtype: int64, value: 16000 }
    `);
    const p = expectProblem(problems, {
      code: "model/unknown-input",
      at: at[0],
      severity: "error",
      message: /the model has no input `sample_rate`/,
    });
    assert.match(p.hint ?? "", /input float32 \[\?, \?\]; state float32 \[2, \?, 128\]; sr int64 \[\]/);
    // sr is then not given, but it is a scalar: nothing to guess, no warning for it.
    assert.ok(!problems.some((p) => p.code === "model/missing-input"), describe(problems));
  });

  void test("an input name the PP-OCR model does not have suggests `x`", async () => {
    const { problems, at } = await check(yaml`
      name: ocr
      model:
        path: ${ocr}
        inputs:
          ⟨here⟩xx: { shape: [1, 3, 48, 320] }
    `);
    expectProblem(problems, { code: "model/unknown-input", at: at[0], message: /no input `xx`; did you mean `x`\?/ });
  });

  void test("a rank mismatch points at the shape, naming the model's dims", async () => {
    const { problems, at } = await check(yaml`
      name: ocr
      model:
        path: ${ocr}
        inputs:
          x: { shape: ⟨here⟩[1, 3, 48] }
    `);
    expectProblem(problems, {
      code: "model/rank-mismatch",
      at: at[0],
      severity: "error",
      message: /has 3 dims, but the model's has 4: \[p2o.DynamicDimension.0, 3, 48, p2o.DynamicDimension.1\]/,
    });
  });

  void test("a fixed dim that differs, and a dtype that differs", async () => {
    const { problems, at } = await check(yaml`
      name: ocr
      model:
        path: ${ocr}
        inputs:
          x: { shape: [1, ⟨here⟩1, 48, 320], dtype: ⟨here⟩float16 }
    `);
    expectProblem(problems, {
      code: "model/dim-mismatch",
      at: at[0],
      message: /dim 1 of input `x` is 3 in the model, not 1/,
    });
    expectProblem(problems, {
      code: "model/dtype-mismatch",
      at: at[1],
      message: /`x` is float32 in the model, not float16/,
    });
  });

  void test("symbolic dims: fixed_shapes resolves them; unknown names warn", async () => {
    const { problems, at } = await check(yaml`
      name: ocr
      model:
        path: ${ocr}
        inputs:
          x: { shape: [batch, 3, 48, ⟨here⟩width] }
      compile:
        fixed_shapes: { batch: 1, ⟨here⟩p2o.DynamicDimension.7: 4 }
    `);
    expectProblem(problems, {
      code: "model/unknown-dim",
      at: at[0],
      severity: "warning",
      message: /dim `width` of input `x` has no size in `compile.fixed_shapes`/,
    });
    expectProblem(problems, {
      code: "model/unknown-dim",
      at: at[1],
      severity: "warning",
      message: /no symbolic dim `p2o.DynamicDimension.7`; did you mean `p2o.DynamicDimension.0`\?/,
    });
    assert.equal(problems.length, 2, describe(problems));
  });

  void test("model inputs the recipe leaves out: a warning only when their size is a guess", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model:
        path: ${silero}
        ⟨here⟩inputs:
          sr: { shape: [], value: 16000 }
    `);
    const warnings = problems.filter((p) => p.code === "model/missing-input");
    assert.equal(warnings.length, 2, describe(problems));
    expectProblem(problems, {
      code: "model/missing-input",
      at: at[0],
      severity: "warning",
      message: /`input` float32 \[\?, \?\] is not in `model.inputs`, and dim 0, dim 1 are not fixed/,
    });
    assert.ok(warnings.some((w) => /`state`/.test(w.message)));
  });

  void test("a value that does not fit its dtype or shape", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model:
        path: ${silero}
        inputs:
          input: { shape: [1, 2], value: ⟨here⟩[[0.5, 0.25, 1]] }
          state: { shape: [2, 1, 128], fill: zeros }
          sr: { shape: [], value: ⟨here⟩16000.5 }
    `);
    expectProblem(problems, { code: "input/value", at: at[0], message: /has shape \[1, 3\], but `shape` is \[1, 2\]/ });
    expectProblem(problems, { code: "input/value", at: at[1], message: /int64 input `sr` contains fractions/ });
  });

  void test("a range whose low is above its high", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model:
        path: ${silero}
        inputs:
          input: { shape: [1, 512], range: ⟨here⟩[1, -1] }
    `);
    expectProblem(problems, { code: "input/range", at: at[0], severity: "error", message: /goes from 1 down to -1/ });
  });

  void test("evaluate.outputs must be model outputs; int8 on opset 9 warns", async () => {
    const { problems, at } = await check(yaml`
      name: ocr
      model: { path: ${ocr}, inputs: { x: { shape: [1, 3, 48, 320] } } }
      quantize: { method: ⟨here⟩int8-dynamic }
      evaluate:
        metrics: [cosine]
        outputs: [⟨here⟩logits]
    `);
    expectProblem(problems, { code: "model/opset", at: at[0], severity: "warning", message: /opset 9/ });
    expectProblem(problems, { code: "model/unknown-output", at: at[1], message: /no output `logits`/ });
  });
});

void suite("checkRecipe: options, budgets, files", () => {
  void test("calibration without int8-static is ignored, with a warning on the key", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      data: { calib: { path: ${silero}, format: npy } }
      quantize:
        method: int4-weight-only
        ⟨here⟩calibration: { data: calib }
    `);
    expectProblem(problems, {
      code: "option/not-applicable",
      at: at[0],
      severity: "warning",
      message: /`quantize.calibration` is ignored by `method: int4-weight-only`/,
    });
  });

  void test("budgets in an impossible order warn", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      budgets:
        latency_p50_ms: ⟨here⟩30
        latency_p95_ms: 20
        ⟨here⟩cosine_min: 0.99
    `);
    expectProblem(problems, {
      code: "budget/contradiction",
      at: at[0],
      severity: "warning",
      message: /`latency_p50_ms` \(30\) is above `latency_p95_ms` \(20\)/,
    });
    expectProblem(problems, {
      code: "budget/unmeasured",
      at: at[1],
      message: /`evaluate.metrics` does not include `cosine`/,
    });
  });

  void test("inter_op threads without parallel mode, and a provider the device cannot have", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      devices:
        phone: { adb: {}, provider: ⟨here⟩coreml }
      run:
        device: phone
        threads: { ⟨here⟩inter_op: 2 }
    `);
    expectProblem(problems, {
      code: "device/unsupported",
      at: at[0],
      severity: "error",
      message: /Core ML exists only on Apple devices/,
    });
    expectProblem(problems, {
      code: "option/not-applicable",
      at: at[1],
      severity: "warning",
      message: /execution_mode: parallel/,
    });
  });

  void test("dataset files: missing, a folder for one-file formats, text without tokenizer", async () => {
    const dir = tempDir();
    writeFiles(dir, { "data/calib/0.npy": "x", "data/eval/readme.txt": "x", "model.onnx": "" });
    const { problems, at } = await check(
      yaml`
        name: x
        model: { path: ${sileroModel} }
        data:
          calib: { path: data/calib, format: npy }
          eval: { path: ⟨here⟩data/eval, format: npz }
          gone: { path: ⟨here⟩data/missing.npz, format: npz }
          ⟨here⟩text: { path: data/eval/readme.txt, format: text }
        quantize: { method: int8-static, calibration: { data: calib } }
        evaluate: { data: eval, metrics: [cosine] }
      `,
      nodeCheckHost(dir),
    );
    expectProblem(problems, {
      code: "data/wrong-kind",
      at: at[0],
      message: /is a folder, but `format: npz` reads one file/,
    });
    expectProblem(problems, { code: "data/not-found", at: at[1], message: /`data\/missing.npz` does not exist/ });
    expectProblem(problems, { code: "data/tokenizer", at: at[2], message: /needs a `tokenizer`/ });
    assert.ok(!problems.some((p) => p.code === "data/not-found" && /calib/.test(p.message)), describe(problems));
  });

  void test("the host is injectable: a fake signature and file system, no disk", async () => {
    const signature: ModelSignature = {
      irVersion: 8,
      opsetImports: [{ domain: "", version: 17 }],
      inputs: [{ name: "ids", dtype: "int64", dims: ["batch", "seq"] }],
      outputs: [{ name: "logits", dtype: "float32", dims: ["batch", "seq", 256] }],
    };
    const host: RecipeCheckHost = {
      baseDir: "/virtual",
      readModelSignature: async (path) => (assert.equal(path, "/virtual/lm.onnx"), signature),
      pathKind: async (path) => (path === "/virtual/lm.onnx" ? "file" : undefined),
    };
    const { problems, at } = await check(
      yaml`
        name: lm
        model:
          path: lm.onnx
          inputs:
            ids: { shape: [batch, seq], dtype: ⟨here⟩int32 }
        compile: { fixed_shapes: { batch: 1, seq: 64 } }
      `,
      host,
    );
    expectProblem(problems, { code: "model/dtype-mismatch", at: at[0], message: /int64 in the model, not int32/ });
    assert.equal(problems.length, 1, describe(problems));
  });
});

void suite("checkRecipe: a full, valid recipe", () => {
  void test("every section filled in against the real silero model has no problems", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "data/calib/0.npy": "x",
      "data/eval.npz": "x",
      "keys/id_ed25519": "x",
      "android/onnxruntime_perf_test": "x",
    });
    const model = relative(dir, sileroModel);
    const text = yaml`
      name: silero-vad-int8
      version: 1
      model:
        path: ${model}
        inputs:
          input: { shape: [1, 512], dtype: float32, range: [-1, 1] }
          state: { shape: [2, 1, 128], fill: zeros }
          sr: { shape: [], dtype: int64, value: 16000 }
      data:
        calib: { path: data/calib, format: npy }
        eval: { path: data/eval.npz, format: npz, inputs: { input: audio } }
      quantize:
        method: int8-static
        per_channel: true
        activation_type: uint8
        format: qdq
        target_cosine: 0
        symmetric_activations: false
        calibration: { data: calib, method: percentile, samples: 64, percentile: 99.99 }
        exclude: { ops: [If] }
      compile:
        provider: cpu
        optimization: all
      devices:
        laptop: { local: {} }
        pi: { ssh: { host: pi.local, user: pi, port: 22, identity_file: keys/id_ed25519 }, threads: 4 }
        pixel8:
          adb: { serial: "1A2B3C4D" }
          runner: perf-test
          perf_test_path: android/onnxruntime_perf_test
          provider: xnnpack
          threads: 4
      run:
        device: laptop
        warmup: 5
        iterations: 200
        profile: true
        threads: { intra_op: 2, inter_op: 1 }
        execution_mode: parallel
        seed: 42
      evaluate:
        data: eval
        metrics: [latency, size, memory, cosine, max_abs]
        outputs: [output]
      budgets:
        latency_p50_ms: 1
        latency_p95_ms: 2
        latency_p99_ms: 5
        size_mb: 3
        peak_memory_mb: 200
        cosine_min: 0.99
        max_abs_max: 0.05
    `;
    const { problems, signature, paths } = await check(text, nodeCheckHost(dir));
    assert.deepEqual(problems, [], describe(problems));
    assert.deepEqual(
      signature?.inputs.map((i) => i.name),
      ["input", "state", "sr"],
    );
    assert.equal(paths?.model, sileroModel);
    assert.equal(paths?.datasets.eval.path, `${dir}/data/eval.npz`);
    assert.equal(paths?.identityFiles.pi, `${dir}/keys/id_ed25519`);
    assert.equal(paths?.perfTestBinaries.pixel8, `${dir}/android/onnxruntime_perf_test`);
  });
});

void suite("checkRecipe: runners", () => {
  void test("`runner: perf-test` without a binary is a warning on the runner (the setting may give one)", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      devices:
        phone: { adb: { serial: ABC }, runner: ⟨here⟩perf-test }
        board: { ssh: { host: b }, runner: perf-test, runner_path: /opt/ort/onnxruntime_perf_test }
    `);
    const p = expectProblem(problems, {
      code: "option/conflict",
      at: at[0],
      severity: "warning",
      message: /`phone` does not say where it is/,
    });
    assert.match(p.hint ?? "", /perf_test_path.*runner_path.*edge\.perfTest\.path/);
    // `board` names one on the device: no runner problem there.
    assert.equal(problems.filter((q) => q.code === "option/conflict").length, 1, describe(problems));
  });

  void test("a `perf_test_path` that is not a file on this machine is an error on its value", async () => {
    const dir = tempDir();
    writeFiles(dir, { "build/keep": "x" });
    const { problems, at } = await check(
      yaml`
        name: x
        model: { path: ${relative(dir, sileroModel)} }
        devices:
          phone: { adb: { serial: ABC }, runner: perf-test, perf_test_path: ⟨here⟩build/onnxruntime_perf_test }
          board: { ssh: { host: b }, runner: perf-test, perf_test_path: ⟨here⟩build }
      `,
      nodeCheckHost(dir),
    );
    expectProblem(problems, {
      code: "data/not-found",
      at: at[0],
      severity: "error",
      message: /`build\/onnxruntime_perf_test` does not exist on this machine/,
    });
    expectProblem(problems, { code: "data/wrong-kind", at: at[1], severity: "error", message: /is a folder/ });
  });

  void test("`perf_test_path` on a node runner is not applicable", async () => {
    const { problems, at } = await check(yaml`
      name: x
      model: { path: ${silero} }
      devices:
        board: { ssh: { host: b }, ⟨here⟩perf_test_path: ${silero} }
    `);
    expectProblem(problems, { code: "option/not-applicable", at: at[0], severity: "warning" });
  });
});
