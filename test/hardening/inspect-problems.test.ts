// `edge inspect` on broken models: an initializer whose data does not match its dims × dtype, negative dims, a
// cycle, a node input nothing produces, an input too large to count, a declared length of 10^18 elements. Each is a
// problem with the node or tensor it is about, in the "problems" section (text and --json); counts past 2^53 are not
// printed as if exact, and the fit verdict is refused when the estimate is not exact; `--strict` exits 4.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type ModelProto, TensorProtoSchema } from "onnx-buf";
import type { CliIO } from "../../engine/cli/io";
import { main } from "../../engine/cli/main";
import { inspectModel } from "../../engine/inspect/inspect-model";
import type { InspectReport } from "../../engine/inspect/report";
import { modelProblems } from "../../engine/inspect/model-problems";
import { readModel } from "../../engine/onnx/read-model";
import { corpusModels, fixtureModels } from "../onnx/corpus";
import { bytesOf, constant, DT, graph, mlp, model, node, tensor, valueInfo } from "../onnx/model-builder";

const dir = mkdtempSync(join(tmpdir(), "edge-inspect-problems-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, m: ModelProto): string {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, bytesOf(m));
  return path;
}

async function edge(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: dir };
  const code = await main(argv, io);
  return { code, out, err };
}

const x4 = [valueInfo("x", DT.FLOAT, [4])];
const y4 = [valueInfo("y", DT.FLOAT, [4])];

const broken = {
  sizeMismatch: () =>
    model(
      graph({
        nodes: [node("Add", ["x", "W"], ["y"], {}, { name: "add" })],
        inputs: x4,
        outputs: y4,
        initializers: [
          create(TensorProtoSchema, { name: "W", dims: [4n], dataType: DT.FLOAT, rawData: new Uint8Array(7) }),
        ],
      }),
    ),
  negativeDims: () =>
    model(
      graph({
        nodes: [node("Add", ["x", "B"], ["y"], {}, { name: "add" })],
        inputs: [valueInfo("x", DT.FLOAT, [-3, 4])],
        outputs: [valueInfo("y", DT.FLOAT, [-3, 4])],
        initializers: [create(TensorProtoSchema, { name: "B", dims: [-2n, 2n], dataType: DT.FLOAT })],
      }),
    ),
  cycle: () =>
    model(
      graph({
        nodes: [
          node("Relu", ["x"], ["r"], {}, { name: "entry" }),
          node("Add", ["r", "b"], ["a"], {}, { name: "n1" }),
          node("Relu", ["a"], ["b"], {}, { name: "n2" }),
        ],
        inputs: x4,
        outputs: [valueInfo("a", DT.FLOAT, [4])],
      }),
    ),
  dangling: () =>
    model(graph({ nodes: [node("Add", ["x", "ghost"], ["y"], {}, { name: "add" })], inputs: x4, outputs: y4 })),
  huge: () =>
    model(
      graph({
        nodes: [node("Relu", ["x"], ["y"], {}, { name: "relu" })],
        inputs: [valueInfo("x", DT.FLOAT, [2 ** 53 + 1, 2 ** 53 + 1])],
        outputs: [valueInfo("y", DT.FLOAT, null)],
      }),
    ),
  declaredHuge: () =>
    model(
      graph({
        nodes: [node("Add", ["x", "W"], ["y"], {}, { name: "add" })],
        inputs: x4,
        outputs: y4,
        initializers: [
          create(TensorProtoSchema, {
            name: "W",
            dims: [1_000_000_000n, 1_000_000_000n],
            dataType: DT.FLOAT,
            rawData: new Uint8Array(16),
          }),
        ],
      }),
    ),
};

// A dim of 2^53 + 1 written exactly (model-builder's numbers cannot hold it).
function hugeInput(): ModelProto {
  const m = broken.huge();
  const type = m.graph!.input[0].type!.value;
  if (type.case !== "tensorType") throw new Error("x is a tensor");
  for (const d of type.value.shape!.dim) d.value = { case: "dimValue", value: 2n ** 53n + 1n };
  return m;
}

async function problemsOf(m: ModelProto, name: string): Promise<InspectReport> {
  return inspectModel(save(name, m));
}

void test("an initializer whose raw data does not match dims × dtype is a problem naming it", async () => {
  const report = await problemsOf(broken.sizeMismatch(), "size");
  assert.deepEqual(
    report.problems.map((p) => [p.code, p.tensor]),
    [["tensor/size-mismatch", "W"]],
  );
  assert.match(report.problems[0].message, /"W".*4 float32 elements.*16 B.*7 B/);
  assert.equal(report.parameters.all.total.unknown, 1, "its count is not trusted");
  assert.match(report.fits.summary, /^unknown/);
});

void test("negative dims in a declared input and in a tensor are problems", async () => {
  const report = await problemsOf(broken.negativeDims(), "negative");
  const found = report.problems.map((p) => `${p.code} ${p.tensor ?? p.node}`).sort();
  assert.ok(found.includes("tensor/negative-dim B"), found.join("; "));
  assert.ok(found.includes("tensor/negative-dim x"), found.join("; "));
  assert.match(report.problems.find((p) => p.tensor === "x")!.message, /dim 0 .*-3/);
});

void test("a cycle names its nodes; a node input that nothing produces names the node and the value", async () => {
  const cycle = await problemsOf(broken.cycle(), "cycle");
  const c = cycle.problems.find((p) => p.code === "graph/cycle");
  assert.ok(c, JSON.stringify(cycle.problems));
  assert.match(c.message, /n1/);
  assert.match(c.message, /n2/);
  assert.doesNotMatch(c.message, /entry/, "a node before the cycle is not in it");
  const dangling = await problemsOf(broken.dangling(), "dangling");
  assert.deepEqual(
    dangling.problems.map((p) => [p.code, p.node, p.tensor]),
    [["graph/dangling-input", "add", "ghost"]],
  );
});

void test("an input of (2^53 + 1)² elements neither fits a 1 MB MCU nor is counted as if exact", async () => {
  const report = await problemsOf(hugeInput(), "huge");
  assert.equal(report.memory.exact, false);
  assert.match(report.fits.summary, /^unknown/);
  assert.ok(report.fits.devices.every((d) => d.fits === null));
  const p = report.problems.find((q) => q.code === "tensor/too-large");
  assert.ok(p, JSON.stringify(report.problems));
  assert.equal(p.tensor, "x");
  assert.match(p.message, /9007199254740993/);
  const text = await edge("inspect", join(dir, "huge.onnx"));
  assert.doesNotMatch(text.out, /^fits\s+1 MB MCU/m);
  assert.match(text.out, /^fits\s+unknown/m);
});

void test("a declared length of 10^18 elements over 16 B of data is not printed as 10^18 parameters (16 B)", async () => {
  const path = save("declared", broken.declaredHuge());
  const text = await edge("inspect", path);
  assert.doesNotMatch(text.out, /1,000,000,000,000,000,000 \(16 B\)/);
  assert.match(text.out, /^parameters\s+unknown/m);
  assert.match(text.out, /^problems\s+.*"W"/m);
});

void test("text and --json carry a problems section; --strict exits 4 when there are problems", async () => {
  for (const [name, make] of Object.entries(broken)) {
    const path = save(`cli-${name}`, make());
    const text = await edge("inspect", path);
    assert.equal(text.code, 0, `${name}: ${text.err}`);
    assert.match(text.out, /^problems\s+\S/m, name);
    assert.match(text.err, /problem/, `${name}: a line on stderr says so`);
    const json = await edge("inspect", "--json", path);
    assert.ok((JSON.parse(json.out) as InspectReport).problems.length > 0, name);
    const strict = await edge("inspect", "--strict", path);
    assert.equal(strict.code, 4, name);
    assert.equal((await edge("inspect", "--strict", "--json", path)).code, 4, name);
  }
});

void test("sound models have no problems and --strict exits 0", async () => {
  const built = save("mlp", mlp());
  const withConstant = save(
    "const",
    model(
      graph({
        nodes: [constant("c", tensor("c", [4], [1, 2, 3, 4])), node("Add", ["x", "c"], ["y"])],
        inputs: x4,
        outputs: y4,
      }),
    ),
  );
  for (const path of [built, withConstant, ...Object.values(fixtureModels).map((f) => resolve(f))]) {
    const report = await inspectModel(path);
    assert.deepEqual(report.problems, [], path);
    assert.equal(report.memory.exact, true, path);
    const strict = await edge("inspect", "--strict", path);
    assert.equal(strict.code, 0, `${path}: ${strict.err}`);
    assert.match(strict.out, /^problems\s+none/m);
  }
});

void test("no model of the ONNX test corpus (subgraphs, functions, optional inputs) raises a problem", async () => {
  const models = corpusModels();
  assert.ok(models.length > 100);
  const found: string[] = [];
  for (const path of models) {
    const read = await readModel(path, { checkExternalData: false });
    for (const p of modelProblems(read.proto)) found.push(`${path}: ${p.code} ${p.message}`);
    await read.close();
  }
  assert.deepEqual(found, []);
});

void test("edge help lists --strict for inspect", async () => {
  assert.match((await edge("help")).out, /edge inspect MODEL \[--json\] \[--strict\]/);
  assert.match((await edge("help", "inspect")).out, /--strict/);
});
