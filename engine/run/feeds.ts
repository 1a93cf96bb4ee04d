// The feeds of a run: which tensor each model input gets. Dataset samples first, then the plan's input specs,
// then the model's signature (symbolic dims bound from the plan, else 1 with a warning naming input and dim).
// Anything that cannot be fed is a `run/input` error before a session is made.
import { EdgeError, type Where } from "../errors";
import type { EventSink } from "../events";
import type { ModelSignature, TensorSignature } from "../onnx/signature";
import { type Dtype, type Sample, type TensorData, convertTensor, isDtype } from "../data/typed-tensor";
import type { InputSpec, RunPlan } from "./plan";
import { decoderLayout } from "../onnx/decoder-layout";
import { decoderDefaults } from "./decoder-feeds";
import { checkInputAllocation } from "./input-allocation";
import { syntheticTensor } from "./synthetic";

export interface ResolvedInput {
  name: string;
  dtype: Dtype;
  /** The shape fed (for dataset inputs: the first sample's). */
  shape: number[];
  source: "synthetic" | "dataset";
}

export interface FeedSet {
  inputs: ResolvedInput[];
  /** One sample per distinct feed: one without a dataset, else one per dataset sample. */
  samples: Sample[];
}

function inputError(message: string, where: Where, hint?: string): EdgeError {
  return new EdgeError("run/input", message, where, hint);
}

/** Resolves one input's shape from its spec or the model's dims. */
export function resolveShape(
  input: TensorSignature,
  spec: InputSpec | undefined,
  dims: Record<string, number>,
  warn: (message: string) => void,
  where: Where = {},
): number[] {
  const modelDims = input.dims;
  const bind = (dim: string | null, i: number, fallback?: number): number => {
    if (dim !== null && Object.hasOwn(dims, dim)) return dims[dim];
    if (fallback !== undefined) return fallback;
    warn(
      `input "${input.name}": dim ${i}${dim !== null ? ` ("${dim}")` : ""} is not bound; using 1 (bind it under the run's dims or give the input's shape)`,
    );
    return 1;
  };
  if (spec?.shape) {
    if (modelDims && modelDims.length !== spec.shape.length) {
      throw inputError(
        `input "${input.name}": shape [${spec.shape.join(", ")}] has rank ${spec.shape.length} but the model expects rank ${modelDims.length} [${modelDims.map((d) => d ?? "?").join(", ")}]`,
        where,
      );
    }
    return spec.shape.map((d, i) => {
      const modelDim = modelDims?.[i];
      const size = typeof d === "number" ? d : bind(d, i, typeof modelDim === "number" ? modelDim : undefined);
      if (!Number.isInteger(size) || size < 0)
        throw inputError(`input "${input.name}": dim ${i} must be a non-negative integer, got ${size}`, where);
      if (typeof modelDim === "number" && modelDim > 0 && modelDim !== size) {
        throw inputError(`input "${input.name}": dim ${i} is ${size} but the model fixes it to ${modelDim}`, where);
      }
      return size;
    });
  }
  if (!modelDims) {
    throw inputError(
      `input "${input.name}": the model does not say its rank`,
      where,
      `give its shape, e.g. inputs: { ${input.name}: { shape: [1, 3, 224, 224] } }`,
    );
  }
  return modelDims.map((d, i) => (typeof d === "number" && d > 0 ? d : bind(typeof d === "string" ? d : null, i)));
}

function modelDtype(input: TensorSignature, where: Where): Dtype {
  if (!isDtype(input.dtype)) {
    throw inputError(
      `input "${input.name}" has element type ${input.dtype}, which the runner cannot make data for yet`,
      where,
      "feed it from a dataset in a supported dtype, or export the model with a numeric input",
    );
  }
  return input.dtype;
}

function checkDatasetTensor(input: TensorSignature, t: TensorData, sampleIndex: number, where: Where): void {
  const dims = input.dims;
  if (!dims) return;
  const problem =
    dims.length !== t.shape.length
      ? `has rank ${t.shape.length}`
      : dims.some((d, i) => typeof d === "number" && d > 0 && d !== t.shape[i])
        ? "does not match"
        : null;
  if (problem) {
    throw inputError(
      `dataset sample ${sampleIndex}, input "${input.name}": shape [${t.shape.join(", ")}] ${problem} the model's [${dims.map((d) => d ?? "?").join(", ")}]`,
      where,
    );
  }
}

/** Checks the plan against the model's inputs and makes every tensor the run will feed. */
export function resolveFeeds(signature: ModelSignature, plan: RunPlan, sink: EventSink): FeedSet {
  const where: Where = { file: plan.modelPath, device: plan.deviceName };
  const byName = new Map(signature.inputs.map((i) => [i.name, i]));
  const names = signature.inputs.map((i) => `"${i.name}"`).join(", ") || "(none)";
  const specs = plan.inputs ?? {};
  for (const name of Object.keys(specs)) {
    if (!byName.has(name))
      throw inputError(
        `input "${name}" is not an input of the model; its inputs are ${names}`,
        where,
        "fix the input name under model.inputs",
      );
  }
  const samples = plan.samples ?? [];
  const datasetNames = new Set(samples.length > 0 ? Object.keys(samples[0]) : []);
  samples.forEach((sample, i) => {
    for (const name of Object.keys(sample)) {
      if (!byName.has(name))
        throw inputError(
          `dataset sample ${i} has a tensor "${name}", which is not an input of the model; its inputs are ${names}`,
          where,
        );
    }
    for (const name of datasetNames) {
      if (!sample[name]) throw inputError(`dataset sample ${i} lacks input "${name}", which sample 0 has`, where);
    }
  });

  const warn = (message: string) => sink.emit({ type: "log", level: "warning", message });
  const inputs: ResolvedInput[] = [];
  const synthetic: Sample = {};
  let dims = plan.dims ?? {};
  let maskOnes = false;
  const layout = decoderLayout(signature);
  if (layout) {
    // A decoder with a KV cache: inputs the recipe leaves out get an empty cache and an all-ones mask.
    const idsShape = datasetNames.has("input_ids")
      ? samples[0].input_ids.shape
      : resolveShape(layout.inputIds, specs.input_ids, dims, warn, where);
    const described = new Set([...Object.keys(specs), ...datasetNames]);
    const defaults = decoderDefaults(layout, idsShape, dims, described);
    dims = defaults.dims;
    maskOnes = defaults.maskOnes;
    if (defaults.note) sink.emit({ type: "log", level: "info", message: defaults.note });
  }
  for (const input of signature.inputs) {
    const dtype = modelDtype(input, where);
    const spec = specs[input.name];
    if (spec?.dtype && spec.dtype !== dtype) {
      throw inputError(
        `input "${input.name}": dtype ${spec.dtype} was asked for but the model takes ${dtype}`,
        where,
        `set dtype: ${dtype}, or leave it out`,
      );
    }
    if (datasetNames.has(input.name)) {
      const first = samples[0][input.name];
      if (first.dtype !== dtype)
        warn(`input "${input.name}": dataset tensors are ${first.dtype}; converting them to the model's ${dtype}`);
      samples.forEach((s, i) => checkDatasetTensor(input, s[input.name], i, where));
      inputs.push({ name: input.name, dtype, shape: [...first.shape], source: "dataset" });
      continue;
    }
    const shape = resolveShape(input, spec, dims, warn, where);
    const fill = maskOnes && input.name === layout?.attentionMask?.name ? { fill: "ones" as const } : {};
    checkInputAllocation(input.name, dtype, shape, where);
    synthetic[input.name] = syntheticTensor({ ...spec, ...fill, name: input.name, dtype, shape }, plan.seed ?? 0);
    inputs.push({ name: input.name, dtype, shape, source: "synthetic" });
  }

  if (samples.length === 0) return { inputs, samples: [synthetic] };
  const dtypes = new Map(inputs.map((i) => [i.name, i.dtype]));
  const feeds = samples.map((sample) => {
    const feed: Sample = { ...synthetic };
    for (const [name, t] of Object.entries(sample)) feed[name] = convertTensor(t, dtypes.get(name)!);
    return feed;
  });
  return { inputs, samples: feeds };
}
