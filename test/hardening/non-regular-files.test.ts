// Files that are not regular files: opening a FIFO for reading blocks until something writes to it (forever, here),
// and /dev/zero never ends. Every reader refuses them before opening (and checks the opened descriptor again): a
// FIFO as the model, as its external data file, as a recipe, as a dataset or a tokenizer, and /dev/zero as a
// recipe's model path or dataset. Each command must end with the right error and exit code; the CLI runs with a
// 20 s limit, so a hang fails the test (status null) instead of hanging the suite.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type CliResult, edge, writeSourceModel } from "./fixtures";
import type { ChildOutcome } from "./read-in-child";

const root = mkdtempSync(join(tmpdir(), "edge-non-regular-"));
after(() => rmSync(root, { recursive: true, force: true }));

let serial = 0;
function folder(name: string): string {
  const dir = join(root, `${serial++}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Makes a FIFO at `path` (nothing ever writes to it). */
function mkfifo(path: string): string {
  const r = spawnSync("mkfifo", [path]);
  assert.equal(r.status, 0, `mkfifo failed: ${r.stderr?.toString()}`);
  return path;
}

/** An engine reader (readModel, loadRecipe, readDataset) in a child process with a 20 s limit: its error. */
function readInChild(kind: "model" | "recipe" | "dataset", path: string, options?: object): ChildOutcome {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "read-in-child.ts"), kind, path, JSON.stringify(options ?? {})],
    { encoding: "utf8", timeout: 20_000 },
  );
  assert.equal(r.signal, null, `${kind} ${path}: the reader hung (killed after 20 s)`);
  return JSON.parse(r.stdout) as ChildOutcome;
}

function assertRefused(outcome: ChildOutcome, code: string, pattern: RegExp, what: string): void {
  assert.equal(outcome.code, code, `${what}: ${JSON.stringify(outcome)}`);
  assert.match(outcome.message ?? "", pattern, what);
}

function assertEnds(r: CliResult, status: number, pattern: RegExp, what: string): void {
  assert.equal(r.signal, null, `${what}: the command hung (killed after 20 s)`);
  assert.equal(r.status, status, `${what}: ${r.stderr}${r.stdout}`);
  assert.match(`${r.stderr}${r.stdout}`, pattern, what);
}

const recipe = (modelPath: string, extra = "") => `name: fifo
model:
  path: ${modelPath}
${extra}run:
  warmup: 0
  iterations: 1
`;

void test("a FIFO as the model: inspect, quantize, compile, evaluate, validate and run end at once with model/invalid", () => {
  const dir = folder("model");
  const fifo = mkfifo(join(dir, "model.onnx"));
  const notRegular = /model\.onnx.*not a regular file \(a FIFO\)/;
  assertEnds(edge(dir, "inspect", fifo), 4, notRegular, "inspect");
  assertEnds(edge(dir, "quantize", fifo, "--method", "fp16", "-o", join(dir, "q.onnx")), 4, notRegular, "quantize");
  assertEnds(edge(dir, "compile", fifo, "-o", join(dir, "c.onnx")), 4, notRegular, "compile");
  assertEnds(edge(dir, "evaluate", fifo, fifo), 4, notRegular, "evaluate");
  assertRefused(readInChild("model", fifo), "model/invalid", notRegular, "readModel");
  writeFileSync(join(dir, "r.edge.yaml"), recipe(fifo));
  assertEnds(edge(dir, "validate", "r.edge.yaml"), 1, /not a regular file \(a FIFO\)/, "validate");
  assertEnds(edge(dir, "run", "r.edge.yaml", "--out", "out"), 3, /not a regular file \(a FIFO\)/, "run");
});

void test("a FIFO as the model's external data file: inspect, quantize, compile, validate and run end at once", async () => {
  const dir = folder("external");
  const source = await writeSourceModel(dir);
  rmSync(source.data);
  mkfifo(source.data);
  const notRegular = /model\.onnx\.data.*not a regular file \(a FIFO\)/;
  assertEnds(edge(dir, "inspect", source.model), 4, notRegular, "inspect");
  assertEnds(edge(dir, "quantize", source.model, "--method", "fp16", "-o", "q.onnx"), 4, notRegular, "quantize");
  assertEnds(edge(dir, "compile", source.model, "-o", "c.onnx"), 4, notRegular, "compile");
  writeFileSync(join(dir, "r.edge.yaml"), recipe(source.model));
  // validate does not read the weights, but says that the run could not either; so run stops at the recipe check
  // (exit 3, as for a model path that is a device).
  assertEnds(edge(dir, "validate", "r.edge.yaml"), 1, notRegular, "validate");
  assertEnds(edge(dir, "run", "r.edge.yaml", "--out", "out"), 3, notRegular, "run");
  assertRefused(readInChild("model", source.model), "model/external-data", notRegular, "readModel");
});

void test("a FIFO as the recipe: validate and run end at once with recipe/invalid", () => {
  const dir = folder("recipe");
  const fifo = mkfifo(join(dir, "r.edge.yaml"));
  const notRegular = /r\.edge\.yaml.*not a regular file \(a FIFO\)/;
  assertEnds(edge(dir, "validate", "r.edge.yaml"), 3, notRegular, "validate");
  assertEnds(edge(dir, "run", "r.edge.yaml"), 3, notRegular, "run");
  assertRefused(readInChild("recipe", fifo), "recipe/invalid", notRegular, "loadRecipe");
});

void test("/dev/zero as a recipe's model path: validate and run end at once", () => {
  const dir = folder("dev-zero");
  writeFileSync(join(dir, "r.edge.yaml"), recipe("/dev/zero"));
  const notRegular = /not a regular file \(a character device\)/;
  assertEnds(edge(dir, "validate", "r.edge.yaml"), 1, notRegular, "validate");
  assertEnds(edge(dir, "run", "r.edge.yaml", "--out", "out"), 3, notRegular, "run");
});

void test("a FIFO or /dev/zero as a dataset or a tokenizer: data/invalid, in the library and the CLI", async () => {
  const dir = folder("dataset");
  const source = await writeSourceModel(dir);
  const npy = mkfifo(join(dir, "x.npy"));
  const json = mkfifo(join(dir, "samples.json"));
  const npz = mkfifo(join(dir, "samples.npz"));
  const text = mkfifo(join(dir, "corpus.txt"));
  writeFileSync(join(dir, "real.txt"), "some text");
  const tokenizer = mkfifo(join(dir, "tokenizer.json"));
  const cases: [string, object][] = [
    [npy, {}],
    [json, {}],
    [npz, {}],
    [text, { tokenizer: join(dir, "missing-tokenizer.json") }],
    [join(dir, "real.txt"), { tokenizer }],
    ["/dev/zero", { format: "npy" }],
    ["/dev/zero", { format: "json" }],
  ];
  for (const [path, options] of cases) {
    const what = `readDataset ${path} ${JSON.stringify(options)}`;
    assertRefused(
      readInChild("dataset", path, options),
      "data/invalid",
      /not a regular file \(a (FIFO|character device)\)/,
      what,
    );
  }
  const notRegular = /x\.npy.*not a regular file \(a FIFO\)/;
  assertEnds(
    edge(dir, "quantize", source.model, "--method", "int8-static", "--calibration", npy, "-o", "q.onnx"),
    5,
    notRegular,
    "quantize --calibration",
  );
  writeFileSync(
    join(dir, "r.edge.yaml"),
    recipe(
      source.model,
      "data:\n  calib: { path: samples.json, format: json }\nquantize: { method: int8-static, calibration: { data: calib } }\n",
    ),
  );
  assertEnds(edge(dir, "run", "r.edge.yaml", "--out", "out"), 5, /samples\.json.*not a regular file \(a FIFO\)/, "run");
});
