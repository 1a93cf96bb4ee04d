// `edge validate` and `loadRecipe` on recipe files under the OS temp folder: output lines, sorting, the
// summary, --json, exit codes, a missing recipe, and `requireValidRecipe` for callers like `edge run`.
import assert from "node:assert/strict";
import { describe as suite, test } from "node:test";
import { join, relative } from "node:path";
import { validateCommand } from "../../engine/cli/validate-command";
import { main } from "../../engine/cli/main";
import { isEdgeError } from "../../engine/errors";
import { loadRecipe, loadValidRecipe, type Problem } from "../../engine/recipe";
import { capture } from "../cli/capture-io";
import { marked, sileroModel, tempDir, writeFiles, yaml } from "./helpers";

const goodRecipe = (model: string) => yaml`
  name: good
  model:
    path: ${model}
    inputs:
      input: { shape: [1, 512], range: [-1, 1] }
      state: { shape: [2, 1, 128], fill: zeros }
      sr: { shape: [], dtype: int64, value: 16000 }
  run: { device: local, iterations: 20 }
`;

void suite("edge validate", () => {
  void test("a valid recipe: no output lines, a summary on stderr, exit 0", async () => {
    const dir = tempDir();
    writeFiles(dir, { "good.edge.yaml": goodRecipe(relative(dir, sileroModel)) });
    const io = capture(dir);
    assert.equal(await validateCommand(["good.edge.yaml"], io), 0);
    assert.equal(io.out, "");
    assert.equal(io.err, "good.edge.yaml: no problems\n");
  });

  void test("errors and warnings: one `file:line:col: severity: message` line each, sorted by position, exit 1", async () => {
    const dir = tempDir();
    const { text, at } = marked(yaml`
      name: bad
      model:
        path: ${relative(join(dir, "recipes"), sileroModel)}
        inputs:
          ⟨here⟩audio: { shape: [1, 512] }
      budgets:
        latency_p50_ms: ⟨here⟩9
        latency_p95_ms: 5
      run:
        device: ⟨here⟩phone
    `);
    writeFiles(dir, { "recipes/bad.edge.yaml": text });
    const io = capture(dir);
    assert.equal(await validateCommand(["recipes/bad.edge.yaml"], io), 1);
    const lines = io.out.trimEnd().split("\n");
    const file = "recipes/bad.edge.yaml";
    assert.ok(
      lines.every((l) => l.startsWith(`${file}:`)),
      io.out,
    );
    assert.equal(
      lines[0],
      `${file}:4:3: warning: model input \`input\` float32 [?, ?] is not in \`model.inputs\`, and dim 0, dim 1 are not fixed: \`edge run\` will use 1`,
    );
    assert.match(lines[1], /^recipes\/bad.edge.yaml:4:3: warning: model input `state` float32 \[2, \?, 128\]/);
    assert.equal(lines[2], `${file}:${at[0].line}:${at[0].column}: error: the model has no input \`audio\``);
    assert.ok(
      lines.includes(
        `${file}:${at[1].line}:${at[1].column}: warning: \`latency_p50_ms\` (9) is above \`latency_p95_ms\` (5), but p50 is never above p95: one of them is likely a mistake`,
      ),
      io.out,
    );
    assert.equal(
      lines[lines.length - 1],
      `${file}:${at[2].line}:${at[2].column}: error: \`run.device\` is \`phone\`, which is not under \`devices\``,
    );
    const positions = lines.map((l) => l.split(":").slice(1, 3).map(Number));
    const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    assert.deepEqual(positions, sorted);
    assert.match(io.err, /^recipes\/bad.edge.yaml: 2 errors, \d+ warnings?\n$/);
  });

  void test("warnings alone exit 0", async () => {
    const dir = tempDir();
    writeFiles(dir, { "w.edge.yaml": `name: w\nmodel: { path: ${relative(dir, sileroModel)} }\n` });
    const io = capture(dir);
    assert.equal(await validateCommand(["w.edge.yaml"], io), 0);
    assert.match(io.out, /^w.edge.yaml:2:1: warning: /m);
    assert.match(io.err, /warnings?/);
  });

  void test("--json prints the problems as a JSON array with ranges and hints", async () => {
    const dir = tempDir();
    writeFiles(dir, { "j.edge.yaml": "name: j\nmodel: { path: m.onnx }\nquantise: { method: fp16 }\n" });
    const io = capture(dir);
    assert.equal(await validateCommand(["--json", "j.edge.yaml"], io), 1);
    const problems = JSON.parse(io.out) as Problem[];
    // The checks of meaning still run on the parts that match the schema: the missing m.onnx is reported too.
    assert.deepEqual(
      problems.map((p) => [p.severity, p.code, p.range.start.line, p.range.start.column]),
      [
        ["error", "model/not-found", 2, 16],
        ["error", "schema/unknown-key", 3, 1],
      ],
    );
    assert.equal(problems[1].file, "j.edge.yaml");
    assert.deepEqual(problems[1].range.end, { line: 3, column: 9 });
    assert.match(problems[1].hint ?? "", /quantize/);
  });

  void test("several recipes: problems of each, in the order given", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "b.edge.yaml": "name: b\nmodel: { path: missing-b.onnx }\n",
      "a.edge.yaml": "name: a\nmodel: { path: missing-a.onnx }\n",
    });
    const io = capture(dir);
    assert.equal(await validateCommand(["b.edge.yaml", "a.edge.yaml"], io), 1);
    assert.deepEqual(io.out.trimEnd().split("\n"), [
      "b.edge.yaml:2:16: error: model file `missing-b.onnx` does not exist",
      "a.edge.yaml:2:16: error: model file `missing-a.onnx` does not exist",
    ]);
    assert.equal(io.err, "2 recipes: 2 errors\n");
  });

  void test("a missing recipe file is EdgeError recipe/not-found (exit 3 through the CLI)", async () => {
    const dir = tempDir();
    await assert.rejects(
      validateCommand(["nope.edge.yaml"], capture(dir)),
      (e) => isEdgeError(e) && e.code === "recipe/not-found" && /nope.edge.yaml does not exist/.test(e.message),
    );
    const io = capture(dir);
    assert.equal(await main(["validate", "nope.edge.yaml"], io), 3);
    assert.match(io.err, /edge validate: nope.edge.yaml: recipe nope.edge.yaml does not exist/);
  });

  void test("no recipe given is a usage error (exit 2)", async () => {
    const io = capture(tempDir());
    assert.equal(await main(["validate"], io), 2);
    assert.match(io.err, /give at least one recipe/);
  });
});

void suite("loadRecipe", () => {
  void test("returns the typed recipe, the signature, and paths resolved from the recipe's folder", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "sub/r.edge.yaml": `${goodRecipe(relative(join(dir, "sub"), sileroModel))}data: { d: { path: ../d.npz, format: npz } }\nevaluate: { data: d, metrics: [cosine] }\n`,
      "d.npz": "x",
    });
    const loaded = await loadRecipe("sub/r.edge.yaml", { cwd: dir });
    assert.deepEqual(loaded.problems, []);
    assert.equal(loaded.recipe?.name, "good");
    assert.equal(loaded.absolutePath, join(dir, "sub/r.edge.yaml"));
    assert.equal(loaded.paths?.model, sileroModel);
    assert.equal(loaded.paths?.datasets.d.path, join(dir, "d.npz"));
    assert.equal(loaded.signature?.opsetImports[0].version, 16);
  });

  void test("loadValidRecipe throws recipe/invalid listing the errors, located at the first", async () => {
    const dir = tempDir();
    writeFiles(dir, { "r.edge.yaml": "name: r\nmodel: { path: gone.onnx }\nrun: { device: phone }\n" });
    await assert.rejects(loadValidRecipe("r.edge.yaml", { cwd: dir }), (e) => {
      assert.ok(isEdgeError(e));
      assert.equal(e.code, "recipe/invalid");
      assert.deepEqual(e.where, { file: "r.edge.yaml", line: 2, column: 16 });
      assert.match(e.message, /2 errors/);
      assert.match(e.message, /r.edge.yaml:3:16: error: `run.device` is `phone`/);
      return true;
    });
  });

  void test("loadValidRecipe accepts warnings", async () => {
    const dir = tempDir();
    writeFiles(dir, { "r.edge.yaml": `name: r\nmodel: { path: ${relative(dir, sileroModel)} }\n` });
    const { recipe, problems } = await loadValidRecipe("r.edge.yaml", { cwd: dir });
    assert.equal(recipe.name, "r");
    assert.ok(problems.length > 0 && problems.every((p) => p.severity !== "error"));
  });
});
