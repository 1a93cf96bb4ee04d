// Lookups over a model summary, built once per summary and kept with it (a WeakMap keyed by the summary object),
// so completion and hover on a 50,000-node model never scan or index the node list in a request: the cache builds
// the index as soon as a summary is read. Node names (and their lower-case forms for the fuzzy matcher), nodes by
// name, op types by count, inputs and outputs by name, the inputs' symbolic dims.
import { basename } from "node:path";
import type { TensorSignature } from "../../engine/onnx";
import type { ModelNodeSummary, ModelSummary } from "./world-host";

export interface ModelIndex {
  summary: ModelSummary;
  fileName: string;
  /** Distinct non-empty node names, in model order, and the same in lower case. */
  nodeNames: string[];
  nodeNamesLower: string[];
  nodesByName: Map<string, ModelNodeSummary[]>;
  /** Op types, most frequent first. */
  opsByCount: [op: string, count: number][];
  inputsByName: Map<string, TensorSignature>;
  outputsByName: Map<string, TensorSignature>;
  /** Symbolic dim names of the inputs (`batch`, `sequence`), in order of appearance. */
  inputSymbols: string[];
}

const indexes = new WeakMap<ModelSummary, ModelIndex>();

export function modelIndex(summary: ModelSummary): ModelIndex {
  let index = indexes.get(summary);
  if (index) return index;
  const nodesByName = new Map<string, ModelNodeSummary[]>();
  const nodeNames: string[] = [];
  for (const node of summary.nodes) {
    if (!node.name) continue;
    const same = nodesByName.get(node.name);
    if (same) same.push(node);
    else {
      nodesByName.set(node.name, [node]);
      nodeNames.push(node.name);
    }
  }
  const symbols = new Set<string>();
  for (const input of summary.inputs)
    for (const dim of input.dims ?? []) if (typeof dim === "string" && dim) symbols.add(dim);
  index = {
    summary,
    fileName: basename(summary.path),
    nodeNames,
    nodeNamesLower: nodeNames.map((n) => n.toLowerCase()),
    nodesByName,
    opsByCount: Object.entries(summary.opCounts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    inputsByName: new Map(summary.inputs.map((i) => [i.name, i])),
    outputsByName: new Map(summary.outputs.map((o) => [o.name, o])),
    inputSymbols: [...symbols],
  };
  indexes.set(summary, index);
  return index;
}
