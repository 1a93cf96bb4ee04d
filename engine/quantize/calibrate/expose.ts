// The calibration model: a copy of the float model whose graph outputs also return the tensors calibration needs.
// Tensors of the main graph become graph outputs directly. Tensors inside an `If` branch are passed out through
// the If: the branch returns the tensor as an extra output, the other branch an empty float32 tensor, and the If's
// new output is exposed in turn (so branches nested in branches work too). Tensors inside Loop and Scan bodies
// cannot be exposed this way; they are reported as unreachable.
import { clone, create } from "@bufbuild/protobuf";
import {
  type AttributeProto,
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  type GraphProto,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  ValueInfoProtoSchema,
} from "onnx-buf";
import { makeNode, NameSource } from "../graph/edit";

export interface ExposedModel {
  proto: ModelProto;
  /** Graph output name → the tensor whose values it carries. */
  outputs: Map<string, string>;
  /** Tensors asked for that cannot be exposed (inside Loop or Scan bodies, or unknown names). */
  unreachable: string[];
}

interface GraphPlace {
  graph: GraphProto;
  /** The If node whose branch this graph is, and the graph holding that node. */
  owner?: {
    node: NodeProto;
    parent: GraphPlace;
    branch: "then_branch" | "else_branch";
  };
  /** False for Loop/Scan bodies (and anything inside them). */
  exposable: boolean;
}

function floatInfo(name: string, typed: boolean) {
  if (!typed) return create(ValueInfoProtoSchema, { name });
  return create(ValueInfoProtoSchema, {
    name,
    type: { value: { case: "tensorType", value: { elemType: DT.FLOAT } } },
  });
}

/**
 * A copy of `model` that also outputs `tensors`. `float32` says which tensors are known to be float32: main-graph
 * tensors of unknown type are exposed untyped (onnxruntime infers them); branch tensors must be known float32.
 */
export function exposeTensors(
  model: ModelProto,
  tensors: Iterable<string>,
  float32: (name: string) => boolean,
): ExposedModel {
  const proto = clone(ModelProtoSchema, model);
  const names = new NameSource(proto);
  const main: GraphPlace = { graph: proto.graph!, exposable: true };
  // Where each tensor is defined: graph inputs and node outputs, by graph.
  const definedIn = new Map<string, GraphPlace>();
  const visit = (place: GraphPlace) => {
    for (const i of place.graph.input) definedIn.set(i.name, place);
    for (const node of place.graph.node) {
      for (const o of node.output) if (o) definedIn.set(o, place);
      for (const a of node.attribute) {
        const graphs = a.g ? [a.g] : a.graphs;
        for (const g of graphs) {
          const isIf =
            node.opType === "If" &&
            (node.domain === "" || node.domain === "ai.onnx") &&
            (a.name === "then_branch" || a.name === "else_branch");
          visit({
            graph: g,
            owner: isIf
              ? {
                  node,
                  parent: place,
                  branch: a.name as "then_branch" | "else_branch",
                }
              : undefined,
            exposable: place.exposable && isIf,
          });
        }
      }
    }
  };
  visit(main);

  const outputs = new Map<string, string>();
  const unreachable: string[] = [];
  const mainOutputs = new Set(main.graph.output.map((o) => o.name));
  /** Makes `name` (defined in `place`) visible in the main graph; returns the main graph's name for it. */
  const lift = (name: string, place: GraphPlace): string | undefined => {
    if (!place.owner) return name;
    const { node, parent, branch } = place.owner;
    const other = node.attribute.find((a) => a.name === (branch === "then_branch" ? "else_branch" : "then_branch"))?.g;
    if (!other) return undefined;
    const carried = names.fresh(`${name}_calibration`);
    place.graph.node.push(makeNode("Identity", [name], [carried], names.fresh(`${carried}_Identity`)));
    place.graph.output.push(floatInfo(carried, true));
    const empty = names.fresh(`${name}_calibration_empty`);
    other.node.push(makeNode("Constant", [], [empty], names.fresh(`${empty}_Constant`), [valueAttr()]));
    other.output.push(floatInfo(empty, true));
    const lifted = names.fresh(`${name}_calibration_out`);
    node.output.push(lifted);
    return lift(lifted, parent);
  };
  for (const name of new Set(tensors)) {
    const place = definedIn.get(name);
    if (!place || !place.exposable || (place !== main && !float32(name))) {
      unreachable.push(name);
      continue;
    }
    const visible = lift(name, place);
    if (visible === undefined) {
      unreachable.push(name);
      continue;
    }
    outputs.set(visible, name);
    if (!mainOutputs.has(visible)) {
      mainOutputs.add(visible);
      main.graph.output.push(floatInfo(visible, place !== main || float32(name)));
    }
  }
  return { proto, outputs, unreachable };
}

/** The `value` attribute of a Constant holding an empty float32 tensor. */
function valueAttr(): AttributeProto {
  return create(AttributeProtoSchema, {
    name: "value",
    type: AT.TENSOR,
    t: create(TensorProtoSchema, { dataType: DT.FLOAT, dims: [0n] }),
  });
}
