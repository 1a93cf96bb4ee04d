// Hand-written model graphs for the graph viewer's harness and tests (large synthetic graphs come from
// test/fixtures/graphs/, real ones from the engine's openModelGraph): a small transformer-shaped model with scopes,
// weights and an If node with two bodies; a graph with a cycle and a dangling input; overlays, node details and a
// diff for the small model.
import type { GraphDiff } from "../../../common/graph/diff-types";
import type { GraphNode, GraphTensor, ModelGraph, ModelGraphDocument } from "../../../common/graph/model-graph";
import type { NodeDetails } from "../../../common/graph/node-details";
import type { GraphOverlays } from "../../../common/graph/overlays";

/** Builds a ModelGraph from named nodes; tensors are made as they are first named. */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly tensors: GraphTensor[] = [];
  readonly inputs: number[] = [];
  readonly outputs: number[] = [];
  private readonly byName = new Map<string, number>();

  tensor(name: string, init: Partial<GraphTensor> = {}): number {
    let t = this.byName.get(name);
    if (t === undefined) {
      t = this.tensors.length;
      this.tensors.push({ name, kind: "value", producer: -1, dtype: "float32", ...init });
      this.byName.set(name, t);
    }
    return t;
  }

  input(name: string, shape: (number | string)[]): string {
    this.inputs.push(this.tensor(name, { kind: "input", shape, shapeSource: "declared" }));
    return name;
  }

  weight(name: string, shape: number[]): string {
    this.tensor(name, {
      kind: "initializer",
      shape,
      shapeSource: "declared",
      sizeBytes: 4 * shape.reduce((a, b) => a * b, 1),
    });
    return name;
  }

  node(name: string, op: string, inputs: string[], outputs: string[], extra: Partial<GraphNode> = {}): number {
    const index = this.nodes.length;
    const outs = outputs.map((o) => {
      const t = this.tensor(o, { shape: [1, 64], shapeSource: "inferred" });
      this.tensors[t].producer = index;
      return t;
    });
    this.nodes.push({
      name,
      op,
      inputs: inputs.map((i) => (i === "" ? -1 : this.tensor(i))),
      outputs: outs,
      attributeCount: 0,
      ...extra,
    });
    return index;
  }

  output(name: string): void {
    const t = this.tensor(name);
    this.tensors[t].graphOutput = true;
    this.outputs.push(t);
  }

  build(name: string, problems: ModelGraph["problems"] = []): ModelGraph {
    return { name, nodes: this.nodes, tensors: this.tensors, inputs: this.inputs, outputs: this.outputs, problems };
  }
}

function countNodes(g: ModelGraph): number {
  let n = 0;
  const stack = [g];
  while (stack.length) {
    const x = stack.pop()!;
    n += x.nodes.length;
    for (const node of x.nodes) for (const s of node.subgraphs ?? []) stack.push(s.graph);
  }
  return n;
}

export function documentOf(graph: ModelGraph, path = "/models/fixture.onnx"): ModelGraphDocument {
  return {
    version: 1,
    path,
    sizeBytes: 123_456,
    irVersion: 8,
    opsets: { "": 17 },
    producer: "fixture",
    graph,
    totalNodes: countNodes(graph),
  };
}

/** One transformer-ish layer: attention (q/k/v, scores, softmax, out) and MLP, with residual adds. */
function layer(b: GraphBuilder, i: number, x: string, mask?: string): string {
  const p = `/model/layers.${i}`;
  const w = (n: string) => b.weight(`model.layers.${i}.${n}`, [64, 64]);
  b.node(`${p}/input_layernorm/LayerNormalization`, "LayerNormalization", [x], [`${p}/ln1`]);
  b.node(`${p}/attn/q_proj/MatMul`, "MatMul", [`${p}/ln1`, w("q")], [`${p}/q`]);
  b.node(`${p}/attn/k_proj/MatMul`, "MatMul", [`${p}/ln1`, w("k")], [`${p}/k`]);
  b.node(`${p}/attn/v_proj/MatMul`, "MatMul", [`${p}/ln1`, w("v")], [`${p}/v`]);
  b.node(`${p}/attn/MatMul`, "MatMul", [`${p}/q`, `${p}/k`], [`${p}/scores`]);
  b.node(`${p}/attn/Add`, "Add", mask ? [`${p}/scores`, mask] : [`${p}/scores`], [`${p}/masked`]);
  b.node(`${p}/attn/Softmax`, "Softmax", [`${p}/masked`], [`${p}/probs`], {
    attributeCount: 1,
    attributesDigest: "axis=-1",
  });
  b.node(`${p}/attn/MatMul_1`, "MatMul", [`${p}/probs`, `${p}/v`], [`${p}/ctx`]);
  b.node(`${p}/attn/o_proj/MatMul`, "MatMul", [`${p}/ctx`, w("o")], [`${p}/attn_out`]);
  b.node(`${p}/Add`, "Add", [x, `${p}/attn_out`], [`${p}/h`]);
  b.node(`${p}/post_attention_layernorm/LayerNormalization`, "LayerNormalization", [`${p}/h`], [`${p}/ln2`]);
  b.node(`${p}/mlp/up_proj/MatMul`, "MatMul", [`${p}/ln2`, w("up")], [`${p}/up`]);
  b.node(`${p}/mlp/act/Gelu`, "Gelu", [`${p}/up`], [`${p}/act`], { domain: "com.microsoft" });
  b.node(`${p}/mlp/down_proj/MatMul`, "MatMul", [`${p}/act`, w("down")], [`${p}/down`]);
  b.node(`${p}/Add_1`, "Add", [`${p}/h`, `${p}/down`], [`${p}/out`]);
  return `${p}/out`;
}

/** Two layers, and an If after them whose branches are small graphs of their own. */
export function smallModel(): ModelGraph {
  const b = new GraphBuilder();
  b.input("input_ids", ["batch", "seq"]);
  b.input("use_cache", []);
  b.weight("model.embed_tokens.weight", [1000, 64]);
  b.node("/model/embed_tokens/Gather", "Gather", ["model.embed_tokens.weight", "input_ids"], ["/model/embed"]);
  let x = "/model/embed";
  for (let i = 0; i < 2; i++) x = layer(b, i, x);
  const thenB = new GraphBuilder();
  thenB.tensor(x, { kind: "outer" });
  thenB.node("then_relu", "Relu", [x], ["then_out"]);
  thenB.node("then_scale", "Mul", ["then_out", "then_out"], ["then_y"]);
  thenB.output("then_y");
  const elseB = new GraphBuilder();
  elseB.tensor(x, { kind: "outer" });
  elseB.node("else_identity", "Identity", [x], ["else_y"]);
  elseB.output("else_y");
  b.node("/model/cache_branch/If", "If", ["use_cache"], ["/model/branch"], {
    attributeCount: 2,
    subgraphs: [
      { attribute: "then_branch", graph: thenB.build("then_branch") },
      { attribute: "else_branch", graph: elseB.build("else_branch") },
    ],
  });
  b.node("/lm_head/MatMul", "MatMul", ["/model/branch", b.weight("lm_head.weight", [64, 1000])], ["logits"]);
  b.output("logits");
  return b.build("small_lm");
}

/** A graph with a cycle (b ↔ c) and a node reading a tensor nobody produces; the engine reports both. */
export function brokenGraph(): ModelGraph {
  const b = new GraphBuilder();
  b.input("x", [1, 4]);
  b.node("a", "Relu", ["x"], ["a_out"]);
  b.node("b", "Add", ["a_out", "c_out"], ["b_out"]);
  b.node("c", "Mul", ["b_out", "b_out"], ["c_out"]);
  b.node("d", "Add", ["c_out", "ghost"], ["y"]);
  b.output("y");
  const ghost = b.tensors.findIndex((t) => t.name === "ghost");
  return b.build("broken", [
    { kind: "cycle", node: 1, message: "b and c feed each other" },
    {
      kind: "dangling-input",
      node: 3,
      tensor: ghost,
      message: "input ghost is produced by no node and is not a graph input",
    },
  ]);
}

/** Overlays from a pretend run of `graph`: every node timed, partitions, and SQNR falling with depth. */
export function overlaysFor(graph: ModelGraph, runDir = "/runs/20260101-000000-int8-laptop"): GraphOverlays {
  const latency: GraphOverlays["latency"] = { runsSummarized: 10, kernelTimePerRunUs: 0, byNode: {} };
  const partitions: GraphOverlays["partitions"] = { provider: "QNNExecutionProvider", byNode: {} };
  const quantError: GraphOverlays["quantError"] = { samples: 8, byNode: {} };
  let total = 0;
  graph.nodes.forEach((n, i) => {
    if (!n.name) return;
    const us = n.op === "MatMul" ? 400 + 37 * (i % 11) : 20 + (i % 7);
    total += us;
    latency.byNode[n.name] = {
      totalUs: us * 10,
      calls: 10,
      meanUsPerRun: us,
      share: 0,
      provider: "CPUExecutionProvider",
    };
    partitions.byNode[n.name] =
      n.op === "Gelu"
        ? { placement: "cpu", reason: "op not supported" }
        : { placement: "provider", partition: i < graph.nodes.length / 2 ? 0 : 1 };
    quantError.byNode[n.name] = {
      sqnrDb: 45 - (30 * i) / graph.nodes.length,
      maxAbs: 0.01 * i,
      output: graph.tensors[n.outputs[0]]?.name ?? "",
    };
  });
  latency.kernelTimePerRunUs = total;
  for (const l of Object.values(latency.byNode)) l.share = l.meanUsPerRun / total;
  return { runDir, runId: runDir.split("/").pop()!, latency, partitions, quantError, notes: [] };
}

/** Details for a node, as the engine would give them (weights get statistics). */
export function detailsFor(graph: ModelGraph, node: number): NodeDetails {
  const n = graph.nodes[node];
  const tensor = (t: number) => {
    const x = graph.tensors[t];
    const d: NodeDetails["inputs"][number] = {
      tensor: t,
      name: x.name,
      kind: x.kind,
      dtype: x.dtype,
      shape: x.shape,
      shapeSource: x.shapeSource,
      sizeBytes: x.sizeBytes,
    };
    if (x.kind === "initializer")
      d.stats = {
        elements: 4096,
        min: -0.5,
        max: 0.5,
        mean: 0.001,
        std: 0.12,
        sparsity: 0.02,
        nonFinite: 0,
        histogram: { min: -0.5, max: 0.5, counts: [2, 10, 60, 300, 900, 1400, 900, 380, 120, 24] },
      };
    return d;
  };
  const details: NodeDetails = {
    path: [],
    node,
    name: n.name,
    op: n.op,
    domain: n.domain,
    opsetVersion: 17,
    attributes: n.op === "Softmax" ? [{ name: "axis", type: "INT", value: "-1" }] : [],
    inputs: n.inputs.filter((t) => t >= 0).map(tensor),
    outputs: n.outputs.map(tensor),
  };
  if (n.op === "DequantizeLinear")
    details.quantization = {
      summary: "int8 → float32",
      lines: [
        { label: "scale", value: "0.0039" },
        { label: "int8 range", value: "[-0.5, 0.5]" },
      ],
    };
  return details;
}

/** The small model "before" quantization, and the diff against smallModel() as "after". */
export function diffFixture(after: ModelGraph): { before: ModelGraph; diff: GraphDiff } {
  const before = smallModel();
  before.nodes.push({ name: "/model/debug/Identity", op: "Identity", inputs: [0], outputs: [], attributeCount: 0 });
  const q = after.nodes.findIndex((n) => n.name === "/model/layers.1/attn/q_proj/MatMul");
  const s = after.nodes.findIndex((n) => n.name === "/model/layers.0/attn/Softmax");
  const add = after.nodes.findIndex((n) => n.name === "/model/layers.1/Add_1");
  const afterOf = before.nodes.map((_, i) => (i < after.nodes.length ? i : -1));
  const beforeOf = after.nodes.map((_, i) => i);
  beforeOf[add] = -1;
  return {
    before,
    diff: {
      matched: after.nodes.length - 1,
      unchanged: after.nodes.length - 3,
      afterOf,
      beforeOf,
      changes: [
        { kind: "changed", before: s, after: s, details: ["attributes"] },
        {
          kind: "changed",
          before: q,
          after: q,
          details: ["op MatMul → MatMulInteger", "output /model/layers.1/q: float32 → int8"],
        },
        { kind: "added", after: add, details: [] },
        { kind: "removed", before: before.nodes.length - 1, details: [] },
      ],
    },
  };
}
