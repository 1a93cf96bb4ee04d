// int8-static's plan: which operators it quantizes and how (rules), the activation element types (8 bits through
// ONNX's Q/DQ, 16 bits through com.microsoft's), and the walk that finds the quantizable nodes of a model with the
// activation and constant inputs of each.
import { TensorProto_DataType as DT, type NodeProto } from "onnx-buf";
import { EdgeError } from "../../errors";
import { type QuantizeContext, selected } from "../graph/context";
import { type ConstantRef, findConstant, type Scope, scopes } from "../graph/edit";
import { skip } from "../graph/weights";

/** How an operator is quantized: which inputs are activations, where its weight and bias are, how its output is. */
export interface OpRule {
  inputs: "all" | number[];
  weight?: number;
  bias?: number;
  /** "calibrated": the output has its own range; "shared": it keeps its input's scale and zero point. */
  output: "calibrated" | "shared";
  /** Add and Mul: quantized only when both operands are activations. */
  elementwise?: boolean;
}

export const rules: Record<string, OpRule> = {
  Conv: { inputs: [0], weight: 1, bias: 2, output: "calibrated" },
  ConvTranspose: { inputs: [0], weight: 1, bias: 2, output: "calibrated" },
  Gemm: { inputs: [0], weight: 1, bias: 2, output: "calibrated" },
  MatMul: { inputs: [0], weight: 1, output: "calibrated" },
  Add: { inputs: [0, 1], output: "calibrated", elementwise: true },
  Mul: { inputs: [0, 1], output: "calibrated", elementwise: true },
  Relu: { inputs: [0], output: "calibrated" },
  Clip: { inputs: [0], output: "calibrated" },
  Sigmoid: { inputs: [0], output: "calibrated" },
  Softmax: { inputs: [0], output: "calibrated" },
  AveragePool: { inputs: [0], output: "calibrated" },
  GlobalAveragePool: { inputs: [0], output: "calibrated" },
  Concat: { inputs: "all", output: "calibrated" },
  MaxPool: { inputs: [0], output: "shared" },
  GlobalMaxPool: { inputs: [0], output: "shared" },
  Reshape: { inputs: [0], output: "shared" },
  Transpose: { inputs: [0], output: "shared" },
  Flatten: { inputs: [0], output: "shared" },
  Squeeze: { inputs: [0], output: "shared" },
  Unsqueeze: { inputs: [0], output: "shared" },
};

export interface ActivationType {
  name: string;
  dataType: DT;
  qmin: number;
  qmax: number;
  symmetric: boolean;
  /** "" (ONNX) for 8 bits; com.microsoft for 16 bits (ONNX's own Q/DQ take 16 bits only from opset 21). */
  domain: string;
}

export function activationType(ctx: QuantizeContext, name = ctx.options.activationType ?? "uint8"): ActivationType {
  const table: Record<string, [DT, number, number]> = {
    uint8: [DT.UINT8, 0, 255],
    int8: [DT.INT8, -128, 127],
    uint16: [DT.UINT16, 0, 65535],
    int16: [DT.INT16, -32768, 32767],
  };
  const entry = table[name];
  if (!entry)
    throw new EdgeError(
      "recipe/invalid",
      `activation type "${name}" is not one int8-static supports`,
      { file: ctx.file },
      "use uint8, int8, uint16 or int16",
    );
  return {
    name,
    dataType: entry[0],
    qmin: entry[1],
    qmax: entry[2],
    symmetric: ctx.options.symmetricActivations ?? false,
    domain: name.endsWith("16") ? "com.microsoft" : "",
  };
}

/** The 16-bit type of the same signedness, what a sensitive tensor moves to; undefined when already 16 bits. */
export function widerType(ctx: QuantizeContext, act: ActivationType): ActivationType | undefined {
  if (act.domain) return undefined;
  return activationType(ctx, act.name === "int8" ? "int16" : "uint16");
}

/** A quantizable node found in the float model, with its inputs sorted by how they are quantized. */
export interface Planned {
  scope: Scope;
  node: NodeProto;
  index: number;
  rule: OpRule;
  /** Activation inputs (computed or graph inputs) by slot. */
  activations: Map<number, string>;
  /** Constant inputs: the weight, the bias, and constant operands of Add/Mul/Concat. */
  constants: Map<number, ConstantRef>;
}

const standard = (node: NodeProto) => node.domain === "" || node.domain === "ai.onnx";

/** Finds the nodes to quantize and what each needs; records the ones that cannot be. */
export function plan(ctx: QuantizeContext, types: Map<string, number>): Planned[] {
  const planned: Planned[] = [];
  const isFloat = (name: string) => types.get(name) === DT.FLOAT;
  for (const scope of scopes(ctx.model.proto)) {
    scope.graph.node.forEach((node, index) => {
      const rule = rules[node.opType];
      if (!rule || !standard(node) || !selected(ctx, node, index)) return;
      if (!isFloat(node.output[0])) return;
      const slots = rule.inputs === "all" ? node.input.map((_, i) => i) : [...rule.inputs];
      if (rule.weight !== undefined) slots.push(rule.weight);
      if (rule.bias !== undefined && node.input[rule.bias]) slots.push(rule.bias);
      const item: Planned = {
        scope,
        node,
        index,
        rule,
        activations: new Map(),
        constants: new Map(),
      };
      for (const slot of slots) {
        const name = node.input[slot];
        if (!name) continue;
        const ref = findConstant(scope, name);
        if (ref) {
          if (ref.tensor.dataType !== DT.FLOAT) return skip(ctx, node, index, `its input "${name}" is not float32`);
          item.constants.set(slot, ref);
        } else if (slot === rule.bias) {
          continue; // a computed bias stays float
        } else if (isFloat(name)) {
          item.activations.set(slot, name);
        } else {
          return skip(ctx, node, index, `its input "${name}" is not a float32 tensor`);
        }
      }
      if (item.activations.size === 0)
        return skip(ctx, node, index, "all its inputs are constants; nothing to calibrate");
      // Add and Mul are quantized only between two activations; with a constant operand (a scale, a shift) they
      // stay float: one fewer rounding, and the constant keeps its precision.
      if (rule.elementwise && item.constants.size > 0) return;
      planned.push(item);
    });
  }
  return planned;
}
