// Checks the recipe against the model's signature: `model.inputs` names, ranks, dims and dtypes; inputs the
// recipe leaves to defaults although their size is unknown; `compile.fixed_shapes`, `evaluate.outputs` and
// dataset input names; the opset the quantizer needs.
import type { ModelSignature, TensorSignature } from "../onnx/signature";
import { decoderLayout } from "../onnx/decoder-layout";
import type { ProblemSink } from "./problem-sink";
import { didYouMean } from "./suggest";
import type { PartialRecipe, RecipeParts } from "./well-formed";

/** "[?, 3, 48, width]": a model's dims as people read them (`?` for unknown). */
export function formatDims(dims: TensorSignature["dims"]): string {
  if (dims === null) return "[unknown rank]";
  return `[${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

function describeInputs(signature: ModelSignature): string {
  return signature.inputs.map((i) => `${i.name} ${i.dtype} ${formatDims(i.dims)}`).join("; ");
}

export function checkAgainstModel(parts: RecipeParts, signature: ModelSignature, sink: ProblemSink): void {
  const { recipe, broken } = parts;
  const fixed = recipe.compile?.fixed_shapes ?? {};
  const byName = new Map(signature.inputs.map((i) => [i.name, i]));
  const given = recipe.model?.inputs ?? {};

  for (const [name, spec] of Object.entries(given)) {
    const input = byName.get(name);
    const at = (...rest: (string | number)[]) => ["model", "inputs", name, ...rest];
    if (!input) {
      sink.error("model/unknown-input", at(), `the model has no input \`${name}\`${didYouMean(name, byName.keys())}`, {
        on: "key",
        hint: `the model's inputs: ${describeInputs(signature)}`,
      });
      continue;
    }
    if (spec.dtype && input.dtype !== "unknown" && spec.dtype !== input.dtype) {
      sink.error(
        "model/dtype-mismatch",
        at("dtype"),
        `input \`${name}\` is ${input.dtype} in the model, not ${spec.dtype}`,
        { hint: `dtype: ${input.dtype}` },
      );
    }
    if (spec.shape && input.dims) {
      if (spec.shape.length !== input.dims.length) {
        sink.error(
          "model/rank-mismatch",
          at("shape"),
          `\`shape\` of input \`${name}\` has ${spec.shape.length} dim${spec.shape.length === 1 ? "" : "s"}, but the model's has ${input.dims.length}: ${formatDims(input.dims)}`,
        );
        continue;
      }
      spec.shape.forEach((dim, i) => {
        const size = typeof dim === "number" ? dim : fixed[dim];
        const modelDim = input.dims?.[i];
        if (typeof modelDim === "number" && size !== undefined && size !== modelDim) {
          sink.error(
            "model/dim-mismatch",
            at("shape", i),
            `dim ${i} of input \`${name}\` is ${modelDim} in the model, not ${size}`,
          );
        } else if (typeof dim === "string" && size === undefined && typeof modelDim !== "number") {
          sink.warning(
            "model/unknown-dim",
            at("shape", i),
            `dim \`${dim}\` of input \`${name}\` has no size in \`compile.fixed_shapes\`; \`edge run\` will use 1`,
            {
              hint: `add \`${dim}: <size>\` under \`compile.fixed_shapes\`, or write the size here`,
            },
          );
        }
      });
    } else if (!spec.shape && spec.value === undefined && !broken(at("shape")) && !broken(at("value"))) {
      const open = openDims(input, fixed);
      if (open.length) {
        sink.warning(
          "model/unknown-dim",
          at(),
          `input \`${name}\` has no \`shape\` and the model's ${formatDims(input.dims)} is not fixed: \`edge run\` will use 1 for ${open.join(", ")}`,
          {
            on: "key",
            hint: "give `shape`, or the symbolic dims' sizes under `compile.fixed_shapes`",
          },
        );
      }
    }
  }

  // Inputs the recipe does not describe: fine when their shape is known, a warning when it is a guess. A language
  // model's KV cache and attention mask get an empty cache and an all-ones mask (engine/run/decoder-feeds.ts).
  // With `run.generate` the generation feeds them all, input_ids included (engine/run/generate-io.ts).
  const layout = decoderLayout(signature);
  const generates = recipe.run?.generate !== undefined;
  const cacheInputs = new Set(
    layout
      ? [
          ...layout.past.map((p) => p.name),
          ...(layout.attentionMask ? [layout.attentionMask.name] : []),
          ...(generates ? [layout.inputIds.name, "position_ids"] : []),
        ]
      : [],
  );
  const defaulted = [...cacheInputs].filter((name) => !(name in given));
  if (layout && !generates && defaulted.length > 0 && !broken(["model", "inputs"])) {
    sink.information(
      "model/missing-input",
      recipe.model?.inputs ? ["model", "inputs"] : ["model"],
      `a language model with a KV cache: \`edge run\` feeds ${defaulted.length} input${defaulted.length === 1 ? "" : "s"} the recipe leaves out an empty cache${layout.pastDim ? ` (\`${layout.pastDim}\` = 0)` : ""} and an all-ones \`attention_mask\``,
      {
        on: "key",
        hint: "describe them under `model.inputs` to run with a filled cache, e.g. `past_key_values.0.key: { shape: [1, heads, 128, head_dim] }`",
      },
    );
  }
  for (const input of signature.inputs) {
    if (input.name in given || broken(["model", "inputs", input.name]) || cacheInputs.has(input.name)) continue;
    const open = openDims(input, fixed);
    if (!open.length) continue;
    sink.warning(
      "model/missing-input",
      recipe.model?.inputs ? ["model", "inputs"] : ["model"],
      `model input \`${input.name}\` ${input.dtype} ${formatDims(input.dims)} is not in \`model.inputs\`, and ${open.join(", ")} ${open.length === 1 ? "is" : "are"} not fixed: \`edge run\` will use 1`,
      {
        on: "key",
        hint: `add \`${input.name}: { shape: [...] }\` under \`model.inputs\``,
      },
    );
  }

  if (!broken(["model", "inputs"])) checkFixedShapes(recipe, signature, sink);
  checkOutputsAndDatasets(recipe, signature, sink);
  checkOpset(recipe, signature, sink);
}

/** Dims of an input whose size neither the model nor `compile.fixed_shapes` gives ("dim 0", "`batch`"). */
function openDims(input: TensorSignature, fixed: Record<string, number>): string[] {
  if (input.dims === null) return ["its rank"];
  const open: string[] = [];
  input.dims.forEach((d, i) => {
    if (d === null) open.push(`dim ${i}`);
    else if (typeof d === "string" && fixed[d] === undefined) open.push(`\`${d}\``);
  });
  return open;
}

function checkFixedShapes(recipe: PartialRecipe, signature: ModelSignature, sink: ProblemSink): void {
  const symbolic = new Set<string>();
  for (const t of [...signature.inputs, ...signature.outputs])
    for (const d of t.dims ?? []) if (typeof d === "string") symbolic.add(d);
  const usedByRecipe = new Set<string>();
  for (const spec of Object.values(recipe.model?.inputs ?? {}))
    for (const d of spec.shape ?? []) if (typeof d === "string") usedByRecipe.add(d);
  for (const name of Object.keys(recipe.compile?.fixed_shapes ?? {})) {
    if (symbolic.has(name) || usedByRecipe.has(name)) continue;
    sink.warning(
      "model/unknown-dim",
      ["compile", "fixed_shapes", name],
      `the model has no symbolic dim \`${name}\`${didYouMean(name, symbolic)}`,
      {
        on: "key",
        hint: symbolic.size
          ? `the model's symbolic dims: ${[...symbolic].join(", ")}`
          : "the model has no symbolic dims",
      },
    );
  }
}

function checkOutputsAndDatasets(recipe: PartialRecipe, signature: ModelSignature, sink: ProblemSink): void {
  const outputs = signature.outputs.map((o) => o.name);
  (recipe.evaluate?.outputs ?? []).forEach((name, i) => {
    if (!outputs.includes(name)) {
      sink.error(
        "model/unknown-output",
        ["evaluate", "outputs", i],
        `the model has no output \`${name}\`${didYouMean(name, outputs)}`,
        { hint: `the model's outputs: ${outputs.join(", ")}` },
      );
    }
  });
  const inputs = signature.inputs.map((i) => i.name);
  for (const [dataset, spec] of Object.entries(recipe.data ?? {})) {
    for (const name of Object.keys(spec.inputs ?? {})) {
      if (!inputs.includes(name)) {
        sink.error(
          "model/unknown-input",
          ["data", dataset, "inputs", name],
          `the model has no input \`${name}\`${didYouMean(name, inputs)}`,
          { on: "key", hint: `the model's inputs: ${inputs.join(", ")}` },
        );
      }
    }
  }
}

/**
 * int8 methods write operators of newer opsets (int8-dynamic: DynamicQuantizeLinear, opset 11; int8-static:
 * QuantizeLinear with a per-channel axis, opset 13, or 10 per tensor); the quantizer upgrades older models first
 * when every node can be rewritten with the same meaning (engine/onnx/opset-upgrade.ts), else it stops naming the node.
 */
function checkOpset(recipe: PartialRecipe, signature: ModelSignature, sink: ProblemSink): void {
  const q = recipe.quantize;
  const method = q?.method;
  if (method !== "int8-dynamic" && method !== "int8-static") return;
  const need =
    method === "int8-dynamic"
      ? 11
      : q?.per_channel === false && !String(q?.activation_type ?? "").endsWith("16")
        ? 10
        : 13;
  const opset = signature.opsetImports.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version;
  if (opset !== undefined && opset < need) {
    sink.warning(
      "model/opset",
      ["quantize", "method"],
      `the model uses opset ${opset}, but ${method} writes operators of opset ${need}; it will be upgraded to opset ${need} first`,
      {
        hint: `re-export the model at opset ≥ ${need} to control the conversion yourself`,
      },
    );
  }
}
