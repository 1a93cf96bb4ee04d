// YAML and schema problems: each lands on the exact line and column marked ⟨here⟩ in the recipe text.
import assert from "node:assert/strict";
import { describe as suite, test } from "node:test";
import { parseRecipe } from "../../engine/recipe";
import { describe, expectProblem, marked, only, yaml } from "./helpers";

function parse(source: string) {
  const { text, at } = marked(source);
  const parsed = parseRecipe(text, "test.edge.yaml");
  return { parsed, problems: parsed.problems, at };
}

void suite("parseRecipe: YAML syntax", () => {
  void test("a nested mapping in a compact mapping points at the nested key", () => {
    const { problems, at } = parse(yaml`
      name: x
      run: ⟨here⟩device: laptop
    `);
    const p = expectProblem(problems, {
      code: "yaml/syntax",
      at: at[0],
      severity: "error",
      message: /Nested mappings/,
    });
    assert.equal(p.file, "test.edge.yaml");
  });

  void test("a tab used as indentation points at the tab", () => {
    const { problems, at } = parse("name: x\n⟨here⟩\tmodel: { path: m.onnx }\n");
    expectProblem(problems, { code: "yaml/syntax", at: at[0], message: /Tabs/ });
  });

  void test("a duplicate key is a syntax error on the second key; no schema noise follows", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      ⟨here⟩name: y
    `);
    expectProblem(problems, { code: "yaml/syntax", at: at[0], message: /unique/ });
    assert.equal(problems.length, 1, describe(problems));
  });

  void test("an empty recipe says what it needs", () => {
    const { problems } = parse("# nothing yet\n");
    const p = only(problems, "schema/missing-key");
    assert.deepEqual(p.range.start, { line: 1, column: 1 });
    assert.match(p.message, /empty.*`name` and `model`/);
  });
});

void suite("parseRecipe: schema", () => {
  void test("an unknown top-level key points at the key and suggests the close match", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      ⟨here⟩quantise:
        method: fp16
    `);
    const p = expectProblem(problems, {
      code: "schema/unknown-key",
      at: at[0],
      message: /unknown key `quantise` in the recipe; did you mean `quantize`\?/,
    });
    assert.match(p.hint ?? "", /quantize/);
    assert.deepEqual(p.range.end, { line: at[0].line, column: at[0].column + "quantise".length });
  });

  void test("an unknown nested key points at that key", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      run:
        warmup: 3
        ⟨here⟩iteratons: 100
    `);
    expectProblem(problems, {
      code: "schema/unknown-key",
      at: at[0],
      message: /`iteratons` in `run`; did you mean `iterations`\?/,
    });
  });

  void test("an unknown key inside a flow map points at the key", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx, inputs: { x: { shape: [1], ⟨here⟩dtyp: float32 } } }
    `);
    expectProblem(problems, { code: "schema/unknown-key", at: at[0], message: /did you mean `dtype`/ });
  });

  void test("a wrong type points at the value", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      run:
        warmup: ⟨here⟩five
    `);
    expectProblem(problems, {
      code: "schema/type",
      at: at[0],
      message: /`run.warmup` must be an integer, not text \("five"\)/,
    });
  });

  void test("a number where text is expected suggests quoting it", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      devices:
        phone: { adb: { serial: ⟨here⟩12345678 } }
    `);
    const p = expectProblem(problems, { code: "schema/type", at: at[0] });
    assert.equal(p.hint, 'quote it: "12345678"');
  });

  void test("an enum value lists the allowed values and suggests one", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      quantize:
        method: ⟨here⟩int4
    `);
    expectProblem(problems, {
      code: "schema/enum",
      at: at[0],
      message:
        /must be one of `int8-dynamic`, `int8-static`, `int4-weight-only` or `fp16`, not `int4`; did you mean `int4-weight-only`\?/,
    });
  });

  void test("a missing required key points at its parent's key", () => {
    const { problems, at } = parse(yaml`
      name: x
      ⟨here⟩model:
        inputs: {}
    `);
    const p = expectProblem(problems, { code: "schema/missing-key", at: at[0], message: /`model` is missing `path`/ });
    assert.match(p.hint ?? "", /relative to the recipe file/);
  });

  void test("a missing required key deep in a map entry points at the nearest key", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      devices:
        pi:
          ⟨here⟩ssh: { user: pi }
    `);
    expectProblem(problems, { code: "schema/missing-key", at: at[0], message: /`devices.pi.ssh` is missing `host`/ });
  });

  void test("a missing top-level key points at the recipe's first key", () => {
    const { problems, at } = parse(yaml`
      ⟨here⟩name: x
      run: { iterations: 5 }
    `);
    expectProblem(problems, { code: "schema/missing-key", at: at[0], message: /the recipe is missing `model`/ });
  });

  void test("a device without a transport, and one with two", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      devices:
        ⟨here⟩a: { threads: 2 }
        b: { local: {}, ⟨here⟩adb: {} }
    `);
    expectProblem(problems, {
      code: "schema/missing-key",
      at: at[0],
      message: /`devices.a` needs exactly one of `local`, `ssh` or `adb`/,
    });
    expectProblem(problems, { code: "schema/invalid", at: at[1], message: /`devices.b` has `local` and `adb`/ });
    assert.equal(problems.length, 2, describe(problems));
  });

  void test("an invalid device name points at the name", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      devices:
        ⟨here⟩"my phone": { adb: {} }
    `);
    expectProblem(problems, {
      code: "schema/invalid",
      at: at[0],
      message: /`my phone` is not a valid name in `devices`: use only letters/,
    });
  });

  void test("out-of-range numbers point at the value", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      run:
        warmup: ⟨here⟩-1
        iterations: ⟨here⟩0
      budgets: { cosine_min: ⟨here⟩1.5 }
    `);
    expectProblem(problems, { code: "schema/range", at: at[0], message: /`run.warmup` must be ≥ 0, not -1/ });
    expectProblem(problems, { code: "schema/range", at: at[1], message: /`run.iterations` must be ≥ 1, not 0/ });
    expectProblem(problems, { code: "schema/range", at: at[2], message: /`budgets.cosine_min` must be ≤ 1, not 1.5/ });
  });

  void test("a range with one number, and a metric listed twice", () => {
    const { problems, at } = parse(yaml`
      name: x
      model:
        path: m.onnx
        inputs:
          x: { range: ⟨here⟩[1] }
      evaluate:
        metrics: [latency, cosine, ⟨here⟩latency]
    `);
    expectProblem(problems, {
      code: "schema/range",
      at: at[0],
      message: /`model.inputs.x.range` must have exactly 2 items, not 1/,
    });
    expectProblem(problems, { code: "schema/invalid", at: at[1], message: /lists `latency` more than once/ });
  });

  void test("a wrong type for a whole section on a block points at its key", () => {
    const { problems, at } = parse(yaml`
      name: x
      model: { path: m.onnx }
      ⟨here⟩run:
        - 1
        - 2
    `);
    expectProblem(problems, { code: "schema/type", at: at[0], message: /`run` must be a map, not a list/ });
  });

  void test("every error is reported (allErrors), once each", () => {
    const { problems } = parse(yaml`
      name: x
      model: { path: m.onnx }
      run: { warmup: a, iterations: b, profile: c }
    `);
    assert.equal(problems.filter((p) => p.code === "schema/type").length, 3, describe(problems));
  });

  void test("a valid recipe parses to a typed recipe with no problems", () => {
    const { parsed } = parse(yaml`
      name: x
      model: { path: m.onnx, inputs: { ids: { shape: [1, seq], dtype: int64, range: [0, 255] } } }
      devices: { laptop: { local: {} } }
      run: { device: laptop, iterations: 10 }
    `);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.recipe?.run?.iterations, 10);
    assert.deepEqual(parsed.recipe?.model.inputs?.ids.shape, [1, "seq"]);
  });
});
