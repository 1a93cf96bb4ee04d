// `analyzeSupport(model, provider)`: which nodes of the main graph a provider takes, by the rules of its support
// table (provider-rules / support-rules), with the shapes and dtypes of shape propagation, a FLOP estimate per
// node, the partitions ONNX Runtime would form, and the share of nodes and compute that stays on the CPU.
import type { GraphProto, ModelProto, NodeProto } from "onnx-buf";
import { TensorProto_DataLocation } from "onnx-buf";
import { analyseModel, type BodyShapes, boundInputInfos } from "../onnx/shape-propagation";
import { SymbolTable } from "../onnx/dim-bindings";
import type { OnnxModel } from "../onnx/read-model";
import { isConstantNode, nodeLabel, nodeSubgraphs, ruleKeyOf } from "./graph-keys";
import { nodeFlops } from "./compute-estimate";
import { dimParams, symbolicDims } from "./fix-shapes";
import { partitionNodes } from "./partition-graph";
import { type ProviderTable, providerTable, ruleKey, type SourceDocument } from "./provider-rules";
import { checkNode, type ReasonKind, type ValueFacts, type Verdict } from "./support-rules";

export interface AnalyzeOptions {
  /** A provider variant (Core ML: "mlprogram", the default, or "neuralnetwork"). */
  variant?: string;
  /** Sizes for symbolic dims, as `fixed_shapes` gives them (names the model lacks are ignored: compileModel checks them); unfixed dims stay dynamic (probed at 1 for FLOPs). */
  dims?: Record<string, number>;
}

export interface NodeSupport {
  /** Index in graph.node. */
  index: number;
  /** The node's name, or `OpType#index`. */
  node: string;
  opType: string;
  domain: string;
  placement: "provider" | "cpu";
  reason?: string;
  reasonKind?: ReasonKind;
  partition?: number;
  /** Estimated FLOPs at the analysed shapes (unfixed dims taken as 1). */
  flops: number;
}

export interface PartitionSummary {
  id: number;
  nodes: number;
  flops: number;
  first: string;
  last: string;
}

export interface SupportSummary {
  nodes: number;
  providerNodes: number;
  cpuNodes: number;
  /** cpuNodes / nodes (0 for an empty graph). */
  cpuNodeShare: number;
  flops: number;
  cpuFlops: number;
  cpuFlopShare: number;
  partitions: number;
  /** Tensors that cross between the CPU and a partition (or between partitions), each counted once per receiving side. */
  transitions: number;
  unsupportedOps: Record<string, number>;
  reasons: Partial<Record<ReasonKind, number>>;
  /** Input and output dims still symbolic (what NNAPI, QNN and Core ML want fixed). */
  symbolicDims: string[];
  notes: string[];
}

export interface SupportAnalysis {
  provider: string;
  variant?: string;
  title: string;
  source: { documents: SourceDocument[]; retrieved: string };
  nodes: NodeSupport[];
  partitions: PartitionSummary[];
  summary: SupportSummary;
  /** Caveats of the source table for ops placed on the provider that the rules do not fully check. */
  caveats: Record<string, string>;
}

const PROBE_A = 1;
const PROBE_B = 3;

function probeShapes(model: ModelProto, bindings: Map<string, number>, unnamed: number): BodyShapes {
  const infos = boundInputInfos(model.graph!, (param) =>
    param !== undefined ? (bindings.get(param) ?? unnamed) : unnamed,
  );
  return analyseModel(model, new SymbolTable(new Map(bindings)), infos);
}

function bodyFlops(shapes: BodyShapes, index: number): number {
  let total = 0;
  for (const inner of shapes.inner.get(index) ?? []) {
    for (const i of inner.order) {
      const n = inner.body.nodes[i];
      total +=
        nodeFlops(
          n,
          n.input.map((x) => (x ? inner.info.get(x) : undefined)),
          n.output.map((x) => (x ? inner.info.get(x) : undefined)),
        ) + bodyFlops(inner, i);
    }
  }
  return total;
}

/** Names whose values are known before the run: initializers, Constant outputs, and nodes computing only from them. */
function constantNames(graph: GraphProto, order: number[]): Set<string> {
  const constant = new Set(graph.initializer.map((t) => t.name));
  const graphInputs = new Set(graph.input.map((i) => i.name));
  for (const i of order) {
    const n = graph.node[i];
    const fromConstants = n.input.every((x) => !x || (constant.has(x) && !graphInputs.has(x)));
    if (isConstantNode(n) || (fromConstants && [...nodeSubgraphs(n)].length === 0 && n.input.some(Boolean)))
      for (const o of n.output) if (o) constant.add(o);
  }
  return constant;
}

function facts(
  name: string,
  a: BodyShapes,
  b: BodyShapes,
  constant: Set<string>,
  external: Set<string>,
): ValueFacts | undefined {
  if (!name) return undefined;
  const ia = a.info.get(name);
  const ib = b.info.get(name);
  const base = { dtype: ia?.dtype ?? ib?.dtype ?? 0, constant: constant.has(name), external: external.has(name) };
  if (!ia?.shape) return base;
  const dynamic = ia.shape.map((d, i) => !ib?.shape || ib.shape.length !== ia.shape!.length || ib.shape[i] !== d);
  return { ...base, shape: ia.shape, dynamic };
}

/** Which nodes `provider` takes; see the module comment. `model` may be an OnnxModel or a bare ModelProto. */
export function analyzeSupport(
  model: OnnxModel | ModelProto,
  provider: string,
  options: AnalyzeOptions = {},
): SupportAnalysis {
  const proto = "proto" in model ? model.proto : model;
  const table: ProviderTable & { variant?: string } = providerTable(provider, options.variant);
  const dims = options.dims ?? {};
  const graph = proto.graph!;
  const names = dimParams(proto);
  const bind = (probe: number) => new Map([...names].map((n) => [n, dims[n] ?? probe]));
  const a = probeShapes(proto, bind(PROBE_A), PROBE_A);
  const b = probeShapes(proto, bind(PROBE_B), PROBE_B);
  const constant = constantNames(graph, a.order);
  const external = new Set(
    graph.initializer.filter((t) => t.dataLocation === TensorProto_DataLocation.EXTERNAL).map((t) => t.name),
  );

  // The nodes ONNX Runtime partitions: every main-graph node but Constant (it becomes an initializer on load).
  const order = a.order.filter((i) => !isConstantNode(graph.node[i]));
  const position = new Map(order.map((nodeIndex, k) => [nodeIndex, k]));
  const producer = new Map<string, number>();
  order.forEach((nodeIndex, k) => graph.node[nodeIndex].output.forEach((o) => o && producer.set(o, k)));
  const producers = order.map((nodeIndex) => [
    ...new Set(a.reads[nodeIndex].map((n) => producer.get(n)).filter((p): p is number => p !== undefined)),
  ]);
  const consumers: number[][] = order.map(() => []);
  producers.forEach((ps, c) => ps.forEach((p) => consumers[p].push(c)));

  const nodes: NodeProto[] = order.map((i) => graph.node[i]);
  const verdicts: Verdict[] = nodes.map((n, k) => {
    const names = [...n.input, ...[...new Set(a.reads[order[k]])].filter((x) => !n.input.includes(x))];
    return checkNode(
      n,
      names.map((x) => facts(x, a, b, constant, external)),
      table,
      names,
    );
  });
  // Fusions and QDQ groups: a node taken only next to a taken node of the listed ops.
  const base = verdicts.map((v) => v.ok);
  nodes.forEach((n, k) => {
    const attach = table.allOps ? undefined : table.ops[ruleKeyOf(n)]?.attachTo;
    if (!attach || !verdicts[k].ok) return;
    const firstProducer = n.input[0] ? producer.get(n.input[0]) : undefined;
    const neighbours = attach.via === "producer" ? (firstProducer === undefined ? [] : [firstProducer]) : consumers[k];
    if (
      !neighbours.some(
        (p) => base[p] && !table.ops[ruleKeyOf(nodes[p])]?.attachTo && attach.ops.includes(nodes[p].opType),
      )
    ) {
      verdicts[k] = {
        ok: false,
        kind: "fusion",
        reason: `${n.opType} is taken only ${attach.via === "producer" ? "after" : "before"} a supported ${attach.ops.join(", ")}`,
      };
    }
  });

  const groups = partitionNodes({ count: nodes.length, producers, supported: verdicts.map((v) => v.ok) });
  const dropOps = new Set(table.partition.dropSingleNodeOps ?? []);
  const kept = groups.filter((g) => {
    if (g.length !== 1 || !dropOps.has(nodes[g[0]].opType)) return true;
    verdicts[g[0]] = {
      ok: false,
      kind: "partition",
      reason: `a partition of a single ${nodes[g[0]].opType} is left to the CPU by ${table.provider}`,
    };
    return false;
  });
  const partitionOf = new Array<number | undefined>(nodes.length).fill(undefined);
  kept.forEach((g, id) => g.forEach((k) => (partitionOf[k] = id)));

  const result: NodeSupport[] = nodes.map((n, k) => {
    const nodeIndex = order[k];
    const flops =
      nodeFlops(
        n,
        n.input.map((x) => (x ? a.info.get(x) : undefined)),
        n.output.map((x) => (x ? a.info.get(x) : undefined)),
      ) + bodyFlops(a, nodeIndex);
    const v = verdicts[k];
    const entry: NodeSupport = {
      index: nodeIndex,
      node: nodeLabel(n, nodeIndex),
      opType: n.opType,
      domain: n.domain,
      placement: v.ok ? "provider" : "cpu",
      flops,
    };
    if (!v.ok) Object.assign(entry, { reason: v.reason, reasonKind: v.kind });
    if (partitionOf[k] !== undefined) entry.partition = partitionOf[k];
    return entry;
  });

  const crossings = new Set<string>();
  const side = (k: number) => partitionOf[k] ?? -1;
  order.forEach((nodeIndex, c) => {
    for (const name of a.reads[nodeIndex]) {
      const p = producer.get(name);
      if (p !== undefined && side(p) !== side(c)) crossings.add(`${name}\u0000${side(c)}`);
    }
  });

  const partitions: PartitionSummary[] = kept.map((g, id) => ({
    id,
    nodes: g.length,
    flops: g.reduce((s, k) => s + result[k].flops, 0),
    first: result[g[0]].node,
    last: result[g[g.length - 1]].node,
  }));
  const summary = summarize(result, partitions.length, crossings.size, proto, table, graph, position);
  const caveats: Record<string, string> = {};
  if (!table.allOps)
    for (const n of result)
      if (n.placement === "provider") {
        const note = table.ops[ruleKey(n.domain, n.opType)]?.note;
        if (note) caveats[n.opType] = note;
      }
  return {
    provider: table.provider,
    ...(table.variant ? { variant: table.variant } : {}),
    title: table.title,
    source: table.source,
    nodes: result,
    partitions,
    summary,
    caveats,
  };
}

function summarize(
  nodes: NodeSupport[],
  partitionCount: number,
  transitions: number,
  proto: ModelProto,
  table: ProviderTable,
  graph: GraphProto,
  position: Map<number, number>,
): SupportSummary {
  const cpu = nodes.filter((n) => n.placement === "cpu");
  const flops = nodes.reduce((s, n) => s + n.flops, 0);
  const cpuFlops = cpu.reduce((s, n) => s + n.flops, 0);
  const unsupportedOps: Record<string, number> = {};
  const reasons: Partial<Record<ReasonKind, number>> = {};
  for (const n of cpu) {
    const key = n.domain && n.domain !== "ai.onnx" ? `${n.domain}.${n.opType}` : n.opType;
    if (n.reasonKind === "op") unsupportedOps[key] = (unsupportedOps[key] ?? 0) + 1;
    if (n.reasonKind) reasons[n.reasonKind] = (reasons[n.reasonKind] ?? 0) + 1;
  }
  const notes = [...(table.notes ?? []), ...(table.partition.note ? [table.partition.note] : [])];
  const inner = graph.node.filter((n, i) => position.has(i) && [...nodeSubgraphs(n)].length > 0).length;
  if (inner > 0)
    notes.push(
      `${inner} node(s) hold subgraphs (If/Loop/Scan): their bodies are counted with them (FLOPs) and not analysed node by node`,
    );
  return {
    nodes: nodes.length,
    providerNodes: nodes.length - cpu.length,
    cpuNodes: cpu.length,
    cpuNodeShare: nodes.length ? cpu.length / nodes.length : 0,
    flops,
    cpuFlops,
    cpuFlopShare: flops > 0 ? cpuFlops / flops : 0,
    partitions: partitionCount,
    transitions,
    unsupportedOps,
    reasons,
    symbolicDims: symbolicDims(proto),
    notes,
  };
}
