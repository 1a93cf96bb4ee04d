// `edge inspect` against Debian's python3-onnx (ONNX 1.12), run once through onnx_reference.py:
//  - counts (nodes top level / in subgraphs / in functions, op histograms, initializer and Constant parameters
//    by dtype, inputs and outputs) on the real fixture models, corpus models with subgraphs, and a built model
//    with a function;
//  - shapes from our shape rules (value_info removed) against ONNX shape inference, on the real fixtures with
//    concrete input shapes and on every corpus model with tensor inputs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { dtypeName } from "../../engine/onnx/dtypes";
import { readModel } from "../../engine/onnx/read-model";
import { inspectOnnx } from "../../engine/inspect/inspect-model";
import type { TotalsByDtype } from "../../engine/inspect/graph-stats";
import { analyseBody, graphBody, newShapeStats } from "../../engine/onnx/shape-propagation";
import { bindSymbols } from "../../engine/onnx/dim-bindings";
import { corpusModel, corpusModels, fixtureModels } from "../onnx/corpus";
import { bytesOf, constant, DT, fn, graph, model, node, tensor, valueInfo } from "../onnx/model-builder";

const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "edge-reference-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Reference {
  counts: Record<
    string,
    {
      ir_version: number;
      opsets: [string, number][];
      producer: [string, string];
      nodes_top: number;
      nodes_subgraphs: number;
      nodes_functions: number;
      subgraphs: number;
      ops_all: Record<string, number>;
      ops_top: Record<string, number>;
      initializers: Record<string, [number, number, number]>;
      constants: Record<string, [number, number, number]>;
      inputs: { name: string; elem_type: number; dims: (number | string | null)[] | null }[];
      outputs: { name: string; elem_type: number; dims: (number | string | null)[] | null }[];
    }
  >;
  shapes: Record<string, Record<string, number[]>>;
}

function reference(request: object): Reference {
  assert.ok(
    existsSync(PYTHON),
    `${PYTHON} is missing: install Debian's python3-onnx (apt-get install -y python3-onnx)`,
  );
  const result = spawnSync(PYTHON, [join(import.meta.dirname, "onnx_reference.py")], {
    input: JSON.stringify(request),
    maxBuffer: 1 << 28,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `onnx_reference.py failed (is python3-onnx installed?): ${result.stderr}`);
  return JSON.parse(result.stdout) as Reference;
}

/** A model calling a local function whose body has an If, so function and subgraph counts are both exercised. */
function functionModel(): string {
  const branch = (v: number) =>
    graph({ nodes: [constant("k", tensor("k", [2], [v, v]))], outputs: [valueInfo("k", DT.FLOAT, [2])] });
  const body = [
    node("If", ["flag"], ["scale"], { then_branch: branch(2), else_branch: branch(3) }),
    node("Mul", ["fx", "scale"], ["fo"]),
    node("Relu", ["fo"], ["fr"]),
  ];
  const m = model(
    graph({
      nodes: [node("Scale", ["x", "flag"], ["y"], {}, { domain: "local" }), node("Add", ["y", "bias"], ["z"])],
      inputs: [valueInfo("x", DT.FLOAT, ["n", 2]), valueInfo("flag", DT.BOOL, [])],
      outputs: [valueInfo("z", DT.FLOAT, ["n", 2])],
      initializers: [tensor("bias", [2], [1, 1])],
    }),
    { functions: [fn("local", "Scale", ["fx", "flag"], ["fr"], body)], extraOpsets: [["local", 1]] },
  );
  const path = join(dir, "function.onnx");
  writeFileSync(path, bytesOf(m));
  return path;
}

function asTable(t: TotalsByDtype): Record<string, [number, number, number]> {
  return Object.fromEntries(Object.entries(t.byDtype).map(([dtype, v]) => [dtype, [v.tensors, v.elements, v.bytes]]));
}

function dtypeKeys(table: Record<string, [number, number, number]>): Record<string, [number, number, number]> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [dtypeName(Number(k)), v]));
}

void test("node, op, parameter and signature counts agree with python3-onnx", async () => {
  const models = [
    ...Object.values(fixtureModels),
    ...[
      "test_if",
      "test_loop11",
      "test_scan9_sum",
      "test_range_float_type_positive_delta_expanded",
      "test_sequence_map_identity_2_sequences",
      "test_constant",
      "test_layer_normalization_4d_axis0_expanded",
    ].map(corpusModel),
    ...corpusModels()
      .filter((p) => p.includes("/pytorch-converted/"))
      .slice(0, 20),
    functionModel(),
  ];
  const ref = reference({ counts: models });
  for (const path of models) {
    const expected = ref.counts[path];
    const report = inspectOnnx(await readModel(path));
    const where = `${path}`;
    assert.equal(report.model.irVersion, expected.ir_version, where);
    assert.deepEqual(
      report.model.opsetImports.map((o) => [o.domain, o.version]),
      expected.opsets,
      where,
    );
    assert.deepEqual([report.model.producer.name, report.model.producer.version], expected.producer, where);
    assert.deepEqual(
      {
        top: report.nodes.topLevel,
        sub: report.nodes.inSubgraphs,
        fn: report.nodes.inFunctions,
        subgraphs: report.nodes.subgraphs,
      },
      {
        top: expected.nodes_top,
        sub: expected.nodes_subgraphs,
        fn: expected.nodes_functions,
        subgraphs: expected.subgraphs,
      },
      where,
    );
    assert.equal(report.nodes.total, expected.nodes_top + expected.nodes_subgraphs + expected.nodes_functions, where);
    assert.deepEqual(report.nodes.opsAll, expected.ops_all, where);
    assert.deepEqual(report.nodes.opsTopLevel, expected.ops_top, where);
    assert.deepEqual(
      asTable(report.parameters.initializers),
      dtypeKeys(expected.initializers),
      `${where}: initializers`,
    );
    assert.deepEqual(asTable(report.parameters.constants), dtypeKeys(expected.constants), `${where}: constants`);
    const sig = (list: typeof expected.inputs) =>
      list.map((v) => ({ name: v.name, dtype: v.elem_type ? dtypeName(v.elem_type) : "unknown", dims: v.dims }));
    assert.deepEqual(report.inputs, sig(expected.inputs), `${where}: inputs`);
    assert.deepEqual(report.outputs, sig(expected.outputs), `${where}: outputs`);
  }
  // The fixtures exercise what they are here for.
  const silero = ref.counts[fixtureModels.sileroVad];
  assert.ok(silero.nodes_subgraphs > 600 && silero.constants["1"][0] > 30, "silero: If subgraphs and Constant weights");
  assert.equal(ref.counts[models[models.length - 1]].nodes_functions, 5, "If, Mul, Relu and a Constant in each branch");
});

/** Our rule-derived shapes of main-graph values, with value_info and declared outputs ignored. */
async function ruleShapes(
  path: string,
  inputs: Record<string, number[]>,
): Promise<{
  shapes: Map<string, number[] | undefined>;
  sources: Map<string, string>;
  producers: Map<string, string>;
}> {
  const m = await readModel(path);
  const g = m.proto.graph!;
  const initializers = new Set(g.initializer.map((t) => t.name));
  const { symbols, explicit } = bindSymbols(
    g.input.filter((i) => !initializers.has(i.name)),
    inputs,
  );
  const body = graphBody(g, "main", symbols);
  body.declared = [];
  for (const input of body.inputs)
    if (explicit.has(input.name))
      input.info = { dtype: input.info?.dtype ?? DT.FLOAT, shape: explicit.get(input.name)! };
  const opset = Number(m.proto.opsetImport.find((o) => o.domain === "")?.version ?? 0n);
  const analysed = analyseBody(body, { symbols, opset, functions: new Map(), stats: newShapeStats(), depth: 0 });
  const producers = new Map<string, string>();
  for (const n of g.node) for (const o of n.output) producers.set(o, n.opType);
  return { shapes: new Map([...analysed.info].map(([k, v]) => [k, v.shape])), sources: analysed.source, producers };
}

function compare(
  expected: Record<string, number[]>,
  ours: Awaited<ReturnType<typeof ruleShapes>>,
  label: string,
  mismatches: string[],
): { agree: number; missing: string[] } {
  let agree = 0;
  const missing: string[] = [];
  for (const [name, shape] of Object.entries(expected)) {
    const op = ours.producers.get(name);
    // Constants are weights; NonZero's size depends on data (we take its upper bound by design).
    if (!op || op === "Constant" || op === "NonZero") continue;
    if (ours.sources.get(name) !== "rule") {
      missing.push(`${op} ${name}`);
      continue;
    }
    if (JSON.stringify(ours.shapes.get(name)) === JSON.stringify(shape)) agree++;
    else
      mismatches.push(
        `${label}: ${op} "${name}": ours ${JSON.stringify(ours.shapes.get(name))}, onnx ${JSON.stringify(shape)}`,
      );
  }
  return { agree, missing };
}

void test("shape rules agree with ONNX shape inference on the real models at concrete input shapes", async () => {
  const requests: { path: string; inputs: Record<string, number[]>; atLeast: number }[] = [
    { path: fixtureModels.ocrCls, inputs: { x: [1, 3, 48, 192] }, atLeast: 200 },
    { path: fixtureModels.ocrDet, inputs: { x: [1, 3, 640, 640] }, atLeast: 300 },
    { path: fixtureModels.ocrRec, inputs: { x: [1, 3, 48, 320] }, atLeast: 280 },
    { path: fixtureModels.silero16k, inputs: { input: [1, 512], state: [2, 1, 128] }, atLeast: 20 },
  ];
  const ref = reference({ shapes: requests.map(({ path, inputs }) => ({ path, inputs })) });
  const mismatches: string[] = [];
  for (const r of requests) {
    const { agree, missing } = compare(ref.shapes[r.path], await ruleShapes(r.path, r.inputs), r.path, mismatches);
    assert.ok(agree >= r.atLeast, `${r.path}: only ${agree} shapes checked (expected ${r.atLeast}+)`);
    assert.deepEqual(missing, [], `${r.path}: values ONNX infers but our rules do not`);
  }
  assert.deepEqual(mismatches, []);
});

void test("shape rules agree with ONNX shape inference across the conformance corpus", async () => {
  const requests: { path: string; inputs: Record<string, number[]> }[] = [];
  for (const path of corpusModels()) {
    const g = (await readModel(path)).proto.graph!;
    const initializers = new Set(g.initializer.map((t) => t.name));
    const inputs: Record<string, number[]> = {};
    let tensorInputs = true;
    for (const i of g.input) {
      if (initializers.has(i.name)) continue;
      if (i.type?.value.case !== "tensorType" || !i.type.value.value.shape) tensorInputs = false;
      else
        inputs[i.name] = i.type.value.value.shape.dim.map((d) =>
          d.value.case === "dimValue" ? Number(d.value.value) : 2,
        );
    }
    if (tensorInputs) requests.push({ path, inputs });
  }
  const ref = reference({ shapes: requests });
  const mismatches: string[] = [];
  let agreed = 0;
  const missing: string[] = [];
  for (const r of requests) {
    const result = compare(
      ref.shapes[r.path] ?? {},
      await ruleShapes(r.path, r.inputs),
      r.path.split("/").slice(-2)[0],
      mismatches,
    );
    agreed += result.agree;
    missing.push(...result.missing);
  }
  assert.deepEqual(mismatches, []);
  assert.ok(agreed >= 900, `only ${agreed} corpus shapes checked`);
  assert.ok(
    missing.length <= 10,
    `ONNX infers ${missing.length} values our rules do not: ${missing.slice(0, 20).join(", ")}`,
  );
});
