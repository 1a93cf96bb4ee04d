// Checks `model.inputs` on their own (a range whose low is above its high, ranges and values outside what the
// element type holds, a value whose nesting does not match the shape, options the fill ignores). The
// comparison with the model's signature is in check-model.ts.
import type { ProblemSink } from "./problem-sink";
import type { ElementType, InputSpec, TensorValue } from "./recipe-types.generated";
import type { PartialRecipe, RecipeParts } from "./well-formed";

export const integerTypes: readonly ElementType[] = [
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
];
export const floatTypes: readonly ElementType[] = ["float32", "float16", "bfloat16", "float64"];

/** The values each bounded element type holds (64-bit integers and float32/64 are not bounded here). */
const typeBounds: Partial<Record<ElementType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_VALUE],
  float16: [-65504, 65504],
};

/** "300, outside what int8 holds (-128 to 127)" for a value outside the type's bounds; undefined when all fit. */
function outOfBounds(dtype: ElementType | undefined, values: readonly unknown[]): string | undefined {
  const bounds = dtype ? typeBounds[dtype] : undefined;
  if (!bounds) return undefined;
  const outside = values.find((v) => typeof v === "number" && (v < bounds[0] || v > bounds[1]));
  if (outside === undefined) return undefined;
  const held = bounds[1] === Number.MAX_VALUE ? `${bounds[0]} and up` : `${bounds[0]} to ${bounds[1]}`;
  return `${String(outside)}, outside what ${dtype} holds (${held}${dtype === "float16" ? "; beyond, values become infinite" : ""})`;
}

/**
 * `modelTypes` (input name → the model's element type) fills in a `dtype` the recipe leaves out, so a value
 * or range is checked against the type it will have.
 */
export function checkInputSpecs(parts: RecipeParts, sink: ProblemSink, modelTypes: Record<string, string> = {}): void {
  for (const [name, written] of Object.entries(parts.recipe.model?.inputs ?? {})) {
    const modelType = modelTypes[name] as ElementType | undefined;
    if (written.dtype === undefined && parts.broken(["model", "inputs", name, "dtype"])) continue;
    const dtype =
      written.dtype ??
      (modelType && [...integerTypes, ...floatTypes, "bool", "string"].includes(modelType) ? modelType : undefined);
    checkInputSpec(name, { ...written, dtype }, parts, sink);
  }
}

function checkInputSpec(name: string, spec: InputSpec, parts: RecipeParts, sink: ProblemSink): void {
  const at = (...rest: (string | number)[]) => ["model", "inputs", name, ...rest];
  const recipe = parts.recipe;
  const fill = spec.fill ?? "uniform";
  if (spec.range) {
    const [low, high] = spec.range;
    if (low > high)
      sink.error(
        "input/range",
        at("range"),
        `\`range\` of input \`${name}\` goes from ${low} down to ${high}: write it as [low, high]`,
        { hint: `range: [${high}, ${low}]` },
      );
    const outside = outOfBounds(spec.dtype, spec.range);
    if (outside)
      sink.error(
        "input/range",
        at("range"),
        `\`range\` of the ${spec.dtype} input \`${name}\` is [${low}, ${high}]: ${outside}`,
      );
    if (spec.dtype && integerTypes.includes(spec.dtype) && (!Number.isInteger(low) || !Number.isInteger(high))) {
      sink.warning(
        "input/range",
        at("range"),
        `\`range\` of the ${spec.dtype} input \`${name}\` has fractions; values will be whole numbers`,
      );
    }
  }
  if (spec.value !== undefined) {
    for (const option of ["fill", "range", "mean", "std"] as const) {
      if (spec[option] !== undefined)
        sink.warning("option/conflict", at(option), `\`${option}\` is ignored: input \`${name}\` has a \`value\``, {
          on: "key",
        });
    }
    checkValue(name, spec, recipe, sink);
    return;
  }
  if (parts.broken(at("fill")) || parts.broken(at("value"))) return;
  if (spec.range && fill !== "uniform")
    sink.warning("option/not-applicable", at("range"), `\`range\` is used only by \`fill: uniform\`, not \`${fill}\``, {
      on: "key",
    });
  for (const option of ["mean", "std"] as const) {
    if (spec[option] !== undefined && fill !== "normal")
      sink.warning(
        "option/not-applicable",
        at(option),
        `\`${option}\` is used only by \`fill: normal\`, not \`${fill}\``,
        { on: "key" },
      );
  }
  if (fill === "normal" && spec.dtype && !floatTypes.includes(spec.dtype)) {
    sink.warning("input/value", at("fill"), `\`fill: normal\` makes fractions, but input \`${name}\` is ${spec.dtype}`);
  }
}

/** A constant value must fit the dtype, and nested arrays must match the shape. */
function checkValue(name: string, spec: InputSpec, recipe: PartialRecipe, sink: ProblemSink): void {
  const value = spec.value as TensorValue;
  const path = ["model", "inputs", name, "value"];
  const scalars = flatten(value);
  const kind =
    spec.dtype === "string" ? "string" : spec.dtype === "bool" ? "boolean" : spec.dtype ? "number" : undefined;
  const wrong = kind ? scalars.find((s) => typeof s !== kind) : undefined;
  if (wrong !== undefined)
    sink.error(
      "input/value",
      path,
      `\`value\` of the ${spec.dtype} input \`${name}\` contains \`${String(wrong)}\`, which is not a ${kind}`,
    );
  else if (
    spec.dtype &&
    integerTypes.includes(spec.dtype) &&
    scalars.some((s) => typeof s === "number" && !Number.isInteger(s))
  ) {
    sink.error("input/value", path, `\`value\` of the ${spec.dtype} input \`${name}\` contains fractions`);
  } else {
    const outside = outOfBounds(spec.dtype, scalars);
    if (outside)
      sink.error("input/value", path, `\`value\` of the ${spec.dtype} input \`${name}\` contains ${outside}`);
  }
  if (!Array.isArray(value)) return;
  const nested = nestedShape(value);
  if (!nested) {
    sink.error(
      "input/value",
      path,
      `\`value\` of input \`${name}\` is ragged: every list at one level must have the same length`,
    );
    return;
  }
  if (!spec.shape) return;
  const fixed = recipe.compile?.fixed_shapes ?? {};
  const shape = spec.shape.map((d) => (typeof d === "number" ? d : fixed[d]));
  if (nested.length !== shape.length || nested.some((n, i) => shape[i] !== undefined && shape[i] !== n)) {
    sink.error(
      "input/value",
      path,
      `\`value\` of input \`${name}\` has shape [${nested.join(", ")}], but \`shape\` is [${spec.shape.join(", ")}]`,
    );
  }
}

function flatten(value: TensorValue): (number | boolean | string)[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

/** The shape of nested arrays, or undefined when they are ragged. */
function nestedShape(value: TensorValue): number[] | undefined {
  if (!Array.isArray(value)) return [];
  if (value.length === 0) return [0];
  const inner = value.map(nestedShape);
  const first = inner[0];
  if (!first || inner.some((s) => !s || s.length !== first.length || s.some((d, i) => d !== first[i])))
    return undefined;
  return [value.length, ...first];
}
