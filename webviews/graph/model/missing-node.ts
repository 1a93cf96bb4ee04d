// What to say when a node asked for by name (a kernel revealed from the profile viewer, a link) is not in the model.
// onnxruntime optimizes a graph before it runs it and profiles the graph it ran: fusions (Conv+Relu, MatMul+Add,
// Gelu, attention, …), layout changes (NCHWc reorders) and copies between devices are nodes the model does not have,
// named from the nodes they replaced or by onnxruntime's name generator (`<base>_token_<n>`). When the name holds the
// names of model nodes (whole, between separators), those are what it was most likely made from. When the reveal
// names its run, the host can make the graph onnxruntime optimized for that run, where the node is by that name
// (extension/graph/optimized-reveal.ts); a node missing from that graph too is said plainly. Pure.

/** Characters that may stand between node names in a name onnxruntime made (never inside an ONNX path name's `/`). */
const SEPARATORS = new Set(["_", " ", "-", "+", ":", ",", ";", "|", "&"]);

export interface MissingNode {
  node: string;
  /** Model nodes whose names the missing node's name holds, in the order they appear (empty: nothing to tell). */
  fusedFrom: string[];
  /** For people: what the node is not and, when it can tell, what it came from. */
  message: string;
}

const isBoundary = (name: string, at: number) => at <= 0 || at >= name.length || SEPARATORS.has(name[at]);

/** Model node names found whole in `name`, left to right, longest first where they start alike, never overlapping. */
export function embeddedNodeNames(name: string, modelNames: Iterable<string>): string[] {
  const found: { start: number; end: number; name: string }[] = [];
  for (const n of modelNames) {
    if (n.length < 2 || n === name) continue;
    for (let at = name.indexOf(n); at >= 0; at = name.indexOf(n, at + 1)) {
      const end = at + n.length;
      if (isBoundary(name, at - 1) && isBoundary(name, end)) found.push({ start: at, end, name: n });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: string[] = [];
  let until = 0;
  for (const f of found) {
    if (f.start < until) continue;
    until = f.end;
    if (!out.includes(f.name)) out.push(f.name);
  }
  return out;
}

/** The name without onnxruntime's generated suffixes (`Gelu_token_12` → `Gelu`). */
export function withoutGeneratedSuffix(name: string): string {
  return name.replace(/(?:_token_\d+)+$/, "");
}

/**
 * Why `node` cannot be shown in the model `modelFile` (its file name) whose node names are `modelNames`, and which
 * of them it was probably fused from. `optimizedGraph`: the model is onnxruntime's optimized graph of the node's run
 * already (the names are onnxruntime's own, so nothing is guessed from them).
 */
export function explainMissingNode(
  node: string,
  modelFile: string,
  modelNames: Iterable<string>,
  options: { optimizedGraph?: boolean } = {},
): MissingNode {
  if (options.optimizedGraph)
    return {
      node,
      fusedFrom: [],
      message: `Node "${node}" is not in onnxruntime's optimized graph of its run (${modelFile}) either: onnxruntime made it after optimizing the graph (when it placed nodes on providers), or the run's session had other options.`,
    };
  const names = [...modelNames];
  const base = withoutGeneratedSuffix(node);
  const fusedFrom = base !== node && names.includes(base) ? [base] : embeddedNodeNames(node, names);
  const message =
    fusedFrom.length > 0
      ? `Node "${node}" is not in ${modelFile}: onnxruntime created it when it optimized the graph (fused from ${fusedFrom
          .map((n) => `"${n}"`)
          .join(", ")}).`
      : `Node "${node}" is not in ${modelFile}. Kernels of nodes that onnxruntime made when it optimized the graph (fusions, layout changes, copies) have names the model does not have.`;
  return { node, fusedFrom, message };
}
