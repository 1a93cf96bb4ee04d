// `model.export` with a real exporter (exporter.py: Debian's python3 and its onnx package write a small model): the
// model is made when missing, kept while the settings are the same, made again when they change or with --force;
// a failing, stopped or wrong exporter leaves the previous export untouched and says what went wrong (its output's
// tail, the .onnx files it wrote instead, an unreadable model); a missing optimum names what to install; the folder an
// export replaces must be its own (never the recipe's, never one with other files); `edge run` exports first and
// runs the exported model. The recipe checks treat a model still to be exported as information, not an error.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../engine/cli/main";
import { exitCodeFor, isEdgeError } from "../../engine/errors";
import { ensureExported, exportInvocation } from "../../engine/export";
import { runRecipe } from "../../engine/pipeline";
import { loadRecipe } from "../../engine/recipe";
import type { RunReport } from "../../engine/report/report-types";
import { capture } from "../cli/capture-io";

const exporter = fileURLToPath(new URL("./exporter.py", import.meta.url));
const python = "/usr/bin/python3";

/** A recipe folder whose model is made by exporter.py with `args`; returns the folder and the exporter's run log. */
function workspace(
  args: string[] = [],
  modelPath = "exported/model.onnx",
): { dir: string; log: string; recipe: string } {
  const dir = mkdtempSync(join(tmpdir(), "edge-export-"));
  const log = join(dir, "exporter.log");
  const command = JSON.stringify([python, exporter, "{out}", "--log", log, ...args]);
  const recipe = join(dir, "r.edge.yaml");
  writeFileSync(
    recipe,
    `name: exported\nmodel:\n  path: ${modelPath}\n  export:\n    command: ${command}\ndevices:\n  laptop: { local: {} }\nrun: { device: laptop, warmup: 1, iterations: 3 }\n`,
  );
  return { dir, log, recipe };
}

const runs = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").length : 0);

void test("edge export makes the model, keeps it while the settings are the same, makes it again when they change or with --force", async () => {
  const { dir, log, recipe } = workspace(["--tag", "a"]);
  const io = capture(dir);
  assert.equal(await main(["export", "r.edge.yaml"], io), 0, io.err);
  assert.ok(existsSync(join(dir, "exported", "model.onnx")));
  assert.ok(existsSync(join(dir, "exported", "config.json")), "the exporter's other files come along");
  const stamp = JSON.parse(readFileSync(join(dir, "exported", ".edge-export.json"), "utf8")) as { command: string };
  assert.match(stamp.command, /exporter\.py/);
  assert.match(io.err, /export \(missing\)/);
  assert.match(io.err, /export: exporting into .*exported\.edge-.*\.tmp/, "the exporter's output is passed on");
  assert.equal(runs(log), 1);

  const again = capture(dir);
  assert.equal(await main(["export", "r.edge.yaml"], again), 0);
  assert.match(again.err, /up to date/);
  assert.equal(runs(log), 1, "the same settings do not run the exporter again");

  writeFileSync(recipe, readFileSync(recipe, "utf8").replace('"a"', '"b"'));
  const changed = capture(dir);
  assert.equal(await main(["export", "r.edge.yaml"], changed), 0);
  assert.match(changed.err, /export \(changed\)/);
  assert.equal(runs(log), 2);

  const forced = capture(dir);
  assert.equal(await main(["export", "r.edge.yaml", "--force"], forced), 0);
  assert.equal(runs(log), 3);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes(".edge-")),
    [],
    "no temporary folders are left",
  );
});

void test("a failing exporter: model/export with its output's tail; the previous export is untouched", async () => {
  const { dir, recipe } = workspace();
  assert.equal(await main(["export", "r.edge.yaml"], capture(dir)), 0);
  const before = readFileSync(join(dir, "exported", "model.onnx"));
  writeFileSync(recipe, readFileSync(recipe, "utf8").replace('"{out}"', '"{out}", "--fail", "3"'));
  const io = capture(dir);
  assert.equal(await main(["export", "r.edge.yaml"], io), 4);
  assert.match(io.err, /exited with code 3/);
  assert.match(io.err, /ValueError: the checkpoint has no lm_head/);
  assert.deepEqual(readFileSync(join(dir, "exported", "model.onnx")), before);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes(".edge-")),
    [],
  );
});

void test("an exporter that writes another file name, or no model: the error says what it wrote", async () => {
  const other = workspace(["--name", "decoder_model_merged.onnx"]);
  const io = capture(other.dir);
  assert.equal(await main(["export", "r.edge.yaml"], io), 4);
  assert.match(io.err, /wrote no model\.onnx \(it wrote decoder_model_merged\.onnx\)/);
  assert.match(io.err, /model\.path to the file you want, e\.g\. exported\/decoder_model_merged\.onnx/);
  assert.equal(existsSync(join(other.dir, "exported")), false, "nothing is put in place");

  const garbage = workspace(["--garbage", "1"]);
  const bad = capture(garbage.dir);
  assert.equal(await main(["export", "r.edge.yaml"], bad), 4);
  assert.match(bad.err, /not a readable ONNX model/);
  assert.equal(existsSync(join(garbage.dir, "exported")), false);
});

void test("optimum: the argument list, and a clear error naming what to install when optimum-cli is missing", async () => {
  const spec = { optimum: { model: "./ckpt", task: "text-generation-with-past", args: ["--opset", "17"] } };
  const call = exportInvocation(spec, { outDir: "/o", modelName: "model.onnx", recipeDir: "/r", env: {} });
  assert.equal(call.program, "optimum-cli");
  assert.deepEqual(call.args, [
    "export",
    "onnx",
    "--model",
    "/r/ckpt",
    "--task",
    "text-generation-with-past",
    "--opset",
    "17",
    "/o",
  ]);
  const hub = exportInvocation(
    { optimum: { model: "Qwen/Qwen2.5-0.5B" } },
    { outDir: "/o", modelName: "m.onnx", recipeDir: "/r", env: { EDGE_OPTIMUM_CLI: "/opt/optimum-cli" } },
  );
  assert.equal(hub.program, "/opt/optimum-cli");
  assert.deepEqual(hub.args, ["export", "onnx", "--model", "Qwen/Qwen2.5-0.5B", "/o"]);

  const dir = mkdtempSync(join(tmpdir(), "edge-export-"));
  await assert.rejects(
    ensureExported({
      spec: { optimum: { model: "Qwen/Qwen2.5-0.5B" } },
      modelPath: join(dir, "qwen", "model.onnx"),
      recipeDir: dir,
      sink: { emit() {} },
      env: { PATH: join(dir, "empty-bin") },
    }),
    (e) =>
      isEdgeError(e) &&
      e.code === "model/export" &&
      /optimum-cli` is not installed/.test(e.message) &&
      /pip install optimum\[exporters\]/.test(e.hint ?? ""),
  );
});

void test("the export's folder must be its own: not the recipe's folder, not one holding other files (they are kept)", async () => {
  const inRecipeFolder = workspace([], "model.onnx");
  const loaded = await loadRecipe(inRecipeFolder.recipe);
  const problem = loaded.problems.find((p) => p.code === "model/export");
  assert.ok(problem, JSON.stringify(loaded.problems));
  assert.equal(problem.severity, "error");
  assert.equal(problem.range.start.line, 3, "on model.path's line");
  await assert.rejects(
    ensureExported({
      spec: loaded.recipe!.model.export!,
      modelPath: loaded.paths!.model,
      recipeDir: inRecipeFolder.dir,
      sink: { emit() {} },
    }),
    (e) => isEdgeError(e) && /holds the recipe/.test(e.message),
  );

  const { dir } = workspace();
  mkdirSync(join(dir, "exported"));
  writeFileSync(join(dir, "exported", "notes.txt"), "mine");
  const io = capture(dir);
  assert.equal(await main(["export", "r.edge.yaml"], io), 4);
  assert.match(io.err, /holds files no export made/);
  assert.equal(readFileSync(join(dir, "exported", "notes.txt"), "utf8"), "mine");
});

void test("a model still to be exported is information for the recipe checks; a missing local optimum folder is an error on its line", async () => {
  const { recipe, dir } = workspace();
  const loaded = await loadRecipe(recipe);
  const notYet = loaded.problems.find((p) => p.code === "model/not-found");
  assert.equal(notYet?.severity, "information", JSON.stringify(loaded.problems));
  assert.equal(loaded.problems.filter((p) => p.severity === "error").length, 0);

  const optimum = join(dir, "o.edge.yaml");
  writeFileSync(
    optimum,
    "name: o\nmodel:\n  path: out/model.onnx\n  export:\n    optimum:\n      model: ./no-such-checkpoint\n",
  );
  const o = await loadRecipe(optimum);
  const missing = o.problems.find((p) => p.code === "model/export");
  assert.equal(missing?.severity, "error");
  assert.equal(missing?.range.start.line, 6);
});

void test("edge run exports first, then runs the exported model; a stop during the export leaves nothing", async () => {
  const { dir, log } = workspace();
  const messages: string[] = [];
  const result = await runRecipe(join(dir, "r.edge.yaml"), {
    cwd: dir,
    outDir: "run",
    sink: { emit: (e) => void (e.type === "log" && messages.push(e.message)) },
  });
  assert.equal(result.exitCode, 0);
  const report = JSON.parse(readFileSync(join(dir, "run", "report.json"), "utf8")) as RunReport;
  assert.equal(report.model?.path, join(dir, "exported", "model.onnx"));
  assert.equal(report.latency?.count, 3, JSON.stringify(report.latency));
  assert.ok(messages.some((m) => /^export \(missing\)/.test(m)));
  assert.equal(runs(log), 1);

  const slow = workspace(["--sleep", "30"]);
  const controller = new AbortController();
  const started = runRecipe(join(slow.dir, "r.edge.yaml"), { cwd: slow.dir, outDir: "run", signal: controller.signal });
  setTimeout(() => controller.abort(), 1500);
  await assert.rejects(
    started,
    (e) => isEdgeError(e) && e.code === "run/aborted" && exitCodeFor(e) === 130 && /export was stopped/.test(e.message),
  );
  assert.equal(existsSync(join(slow.dir, "exported")), false);
  assert.equal(existsSync(join(slow.dir, "run")), false, "no run folder before the export is done");
  assert.deepEqual(
    readdirSync(slow.dir).filter((f) => f.includes(".edge-")),
    [],
  );
});
