// Fixing symbolic dims: `fixed_shapes: { batch: 1, sequence: 64 }` rewrites every `dim_param` of those names in the
// graph's inputs, outputs and value_info (subgraphs included) to the size, in a copy of the model. A name the
// model does not have is a `recipe/invalid` error naming it; the dims that stay symbolic are listed.
import { clone } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema, type TensorShapeProto_Dimension, type ValueInfoProto } from "onnx-buf";
import { EdgeError } from "../errors";
import { walkGraphs } from "../onnx/walk";

export interface FixShapesResult {
  proto: ModelProto;
  /** How many dims each fixed name replaced. */
  replaced: Record<string, number>;
  /** Dims of the main graph's inputs and outputs that are still not numbers: `input x dim 3 (W)` or `(unnamed)`. */
  symbolic: string[];
}

function* valueInfos(model: ModelProto): Generator<{ vi: ValueInfoProto; main: "input" | "output" | "" }> {
  for (const scope of walkGraphs(model)) {
    const g = scope.graph;
    if (!g) continue;
    const isMain = scope.kind === "main";
    for (const vi of g.input) yield { vi, main: isMain ? "input" : "" };
    for (const vi of g.output) yield { vi, main: isMain ? "output" : "" };
    for (const vi of g.valueInfo) yield { vi, main: "" };
  }
}

function dimsOf(vi: ValueInfoProto): TensorShapeProto_Dimension[] {
  return vi.type?.value.case === "tensorType" ? (vi.type.value.value.shape?.dim ?? []) : [];
}

/** Every dim_param name in the model's inputs, outputs and value_info (all scopes). */
export function dimParams(model: ModelProto): Set<string> {
  const names = new Set<string>();
  for (const { vi } of valueInfos(model))
    for (const d of dimsOf(vi)) if (d.value.case === "dimParam" && d.value.value) names.add(d.value.value);
  return names;
}

/** Dims of the main graph's inputs and outputs that are not fixed numbers. */
export function symbolicDims(model: ModelProto): string[] {
  const initializers = new Set(model.graph?.initializer.map((t) => t.name));
  const out: string[] = [];
  for (const { vi, main } of valueInfos(model)) {
    if (!main || initializers.has(vi.name)) continue;
    dimsOf(vi).forEach((d, i) => {
      if (d.value.case !== "dimValue")
        out.push(
          `${main} ${vi.name} dim ${i} (${d.value.case === "dimParam" && d.value.value ? d.value.value : "unnamed"})`,
        );
    });
  }
  return out;
}

/** Checks names and sizes: every name must be a dim_param of the model, every size a positive integer. */
export function checkFixedShapes(model: ModelProto, fixed: Record<string, number>, file?: string): void {
  const known = dimParams(model);
  for (const [name, size] of Object.entries(fixed)) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new EdgeError("recipe/invalid", `fixed_shapes.${name} must be a positive integer, got ${size}`, { file });
    }
    if (!known.has(name)) {
      const list = [...known];
      throw new EdgeError(
        "recipe/invalid",
        `fixed_shapes names dim "${name}", which the model does not have`,
        { file },
        list.length
          ? `the model's symbolic dims: ${list.slice(0, 20).join(", ")}${list.length > 20 ? ", …" : ""}`
          : "the model has no named symbolic dims (its dims are numbers or unnamed)",
      );
    }
  }
}

/** A copy of `model` with the named dims set to their sizes. The source proto is not touched. */
export function fixShapes(model: ModelProto, fixed: Record<string, number>, file?: string): FixShapesResult {
  checkFixedShapes(model, fixed, file);
  const proto = clone(ModelProtoSchema, model);
  const replaced: Record<string, number> = Object.fromEntries(Object.keys(fixed).map((k) => [k, 0]));
  for (const { vi } of valueInfos(proto)) {
    for (const d of dimsOf(vi)) {
      if (d.value.case === "dimParam" && Object.hasOwn(fixed, d.value.value)) {
        replaced[d.value.value]++;
        d.value = { case: "dimValue", value: BigInt(fixed[d.value.value]) };
      }
    }
  }
  return { proto, replaced, symbolic: symbolicDims(proto) };
}
