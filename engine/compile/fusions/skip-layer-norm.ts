// Residual Add + LayerNormalization into com.microsoft SkipLayerNormalization (inputs input, skip, gamma, beta,
// bias; outputs output, mean, inv_std_var, input_skip_bias_sum). Pre-LayerNorm blocks write
//
//   x' = Add(x, branch)        (branch often Add(MatMul(…), bias) with a constant bias of the hidden size)
//   h  = LayerNormalization(x', gamma, beta, axis −1)
//
// and read x' again for the next residual: the fused node gives h as its output and x' as input_skip_bias_sum,
// under the same names. A constant bias on the branch moves into the node's `bias` input (the branch's Add goes).
// ONNX Runtime's own SkipLayerNormFusion needs both Add inputs to have the same known 3-D shape, which exported
// decoders rarely declare, so on them it leaves this pattern alone.
import type { NodeProto } from "onnx-buf";
import { attrInt } from "../../onnx/node-attrs";
import { attr } from "../../onnx/node-build";
import { contribNode, type GraphIndex } from "./graph-index";
import type { Fusion, FusionMatch } from "./fusion-types";

function isDefault(node: NodeProto | undefined, op: string): node is NodeProto {
  return !!node && node.opType === op && (node.domain === "" || node.domain === "ai.onnx");
}

function epsilonOf(node: NodeProto): number {
  const a = node.attribute.find((x) => x.name === "epsilon");
  return a ? a.f : 1e-5;
}

function matchAt(ix: GraphIndex, ln: NodeProto): FusionMatch | string {
  if (ln.output.slice(1).some((o) => o)) return "the LayerNormalization's mean or inverse standard deviation is used";
  const inputRank = ix.rank(ln.input[0]);
  const axis = attrInt(ln, "axis", -1);
  if (axis !== -1 && !(inputRank !== undefined && axis === inputRank - 1))
    return `the LayerNormalization is over axis ${axis}, not the last`;
  if (attrInt(ln, "stash_type", 1) !== 1) return "the LayerNormalization computes in a type other than float";
  const gammaDims = ix.constantDims(ln.input[1]);
  if (!gammaDims || gammaDims.length !== 1) return "the LayerNormalization's scale is not a constant vector";
  const hidden = gammaDims[0];
  const betaDims = ln.input[2] ? ix.constantDims(ln.input[2]) : undefined;
  if (ln.input[2] && (!betaDims || betaDims.length !== 1 || betaDims[0] !== hidden))
    return "the LayerNormalization's bias is not a constant vector of its scale's size";

  const sum = ix.producer.get(ln.input[0]);
  if (!isDefault(sum, "Add"))
    return `the LayerNormalization's input is not a residual Add (made by ${ix.producer.get(ln.input[0])?.opType ?? "an input"})`;
  let [input, skip] = sum.input;
  if (ix.constants.has(input) || ix.constants.has(skip)) return "the Add before the LayerNormalization adds a constant";
  const rank = (n: string) => ix.rank(n);
  if (rank(input) !== undefined && rank(input) !== 3) [input, skip] = [skip, input];
  if (rank(input) !== undefined && rank(input) !== 3)
    return `the residual Add's inputs have ranks ${rank(sum.input[0])} and ${rank(sum.input[1])}; SkipLayerNormalization takes a 3-D input`;
  if (rank(skip) !== undefined && rank(skip) !== 3 && rank(skip) !== 2)
    return `the residual's skip input has rank ${rank(skip)}`;

  const remove: NodeProto[] = [ln, sum];
  // A constant bias of the hidden size on either side moves into the fused node.
  let bias = "";
  for (const side of ["skip", "input"] as const) {
    const name = side === "skip" ? skip : input;
    const add = ix.producer.get(name);
    if (!isDefault(add, "Add") || ix.externalReads.has(name) || ix.readers(name).length !== 1) continue;
    const constIndex = add.input.findIndex((i) => {
      const dims = ix.constantDims(i);
      return !!dims && dims.length === 1 && dims[0] === hidden;
    });
    if (constIndex < 0) continue;
    const other = add.input[1 - constIndex];
    if (rank(other) !== undefined && rank(other) !== 3) continue;
    bias = add.input[constIndex];
    if (side === "skip") skip = other;
    else input = other;
    remove.push(add);
    break;
  }

  const sumReaders = ix.readers(sum.output[0]).filter((r) => r !== ln);
  const keepSum = sumReaders.length > 0 || ix.externalReads.has(sum.output[0]);
  const name = ix.fresh(
    ln.name ? ln.name.replace(/LayerNormalization[^/]*$/, "SkipLayerNormalization") : "SkipLayerNormalization",
  );
  const epsilon = epsilonOf(ln);
  const fused = contribNode(
    "SkipLayerNormalization",
    name,
    [input, skip, ln.input[1], ln.input[2] ?? "", bias],
    [ln.output[0], "", "", keepSum ? sum.output[0] : ""],
    [attr("epsilon", epsilon, true)],
  );
  return { remove, add: [fused] };
}

export const skipLayerNormFusion: Fusion = {
  name: "SkipLayerNormalization",
  anchors: (node) => isDefault(node, "LayerNormalization"),
  match: matchAt,
};
