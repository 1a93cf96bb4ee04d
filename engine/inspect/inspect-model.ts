// `inspectModel`: opens a model through its format plug-in and builds the inspect report: identity, signature,
// node and parameter counts, the memory estimate (weights + peak activations) with the device classes it fits, and
// the model's problems (model-problems.ts), which refuse the fit verdict.
import type { ValueInfoProto } from "onnx-buf";
import { openModel } from "../formats/open-model";
import type { OnnxModel } from "../onnx/read-model";
import { modelSignature } from "../onnx/signature";
import { deviceFit } from "./device-fit";
import { nodeStats, parameterStats } from "./graph-stats";
import { activationPeak, MEMORY_METHOD } from "./memory-estimate";
import { modelProblems } from "./model-problems";
import type { InspectReport, MemoryReport } from "./report";
import { analyseModel, newShapeStats } from "../onnx/shape-propagation";
import { bindSymbols, declaredInfo } from "../onnx/dim-bindings";
import type { TensorInfo } from "../onnx/tensor-info";

export interface InspectOptions {
  /** Shapes for the estimate, by input name (full shape) or by symbolic dim name (one number). */
  inputShapes?: Record<string, number[]>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function dimsOf(input: ValueInfoProto): (number | string | null)[] | undefined {
  if (input.type?.value.case !== "tensorType" || !input.type.value.value.shape) return undefined;
  return input.type.value.value.shape.dim.map((d) =>
    d.value.case === "dimValue"
      ? Number(d.value.value)
      : d.value.case === "dimParam" && d.value.value
        ? d.value.value
        : null,
  );
}

function estimateMemory(
  model: OnnxModel,
  weights: { bytes: number; exact: boolean },
  options: InspectOptions,
): MemoryReport {
  const weightsBytes = weights.bytes;
  const graph = model.proto.graph!;
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((i) => !initializers.has(i.name));
  const given = options.inputShapes ?? {};
  const { symbols, explicit } = bindSymbols(inputs, given);
  const userBound = new Set(symbols.bound.keys());
  const notes: string[] = [];

  const inputInfos: (TensorInfo | undefined)[] = inputs.map((input) => {
    const shape = explicit.get(input.name);
    const declared = declaredInfo(input.type, symbols, { mode: "bind-default", unknownAs: 1 });
    if (shape) return { dtype: declared?.dtype ?? 0, shape };
    const dims = dimsOf(input);
    if (dims?.includes(null))
      notes.push(`input "${input.name}" has unnamed unknown dims, taken as 1; give --input-shape ${input.name}=…`);
    if (input.type?.value.case !== "tensorType")
      notes.push(`input "${input.name}" is not a tensor; it counts as 0 bytes`);
    else if (!dims)
      notes.push(`input "${input.name}" has no declared shape; it counts as 0 bytes unless --input-shape gives one`);
    return declared;
  });
  const inputSymbols = new Set(symbols.defaulted);

  const stats = newShapeStats();
  const shapes = analyseModel(model.proto, symbols, inputInfos, { stats });
  const peak = activationPeak(shapes);

  if (inputSymbols.size > 0)
    notes.push(
      `input dims not given, taken as 1: ${[...inputSymbols].join(", ")} (set them with --input-shape NAME=D1,D2,… or SYMBOL=N)`,
    );
  const innerDefaults = [...symbols.defaulted].filter((s) => !inputSymbols.has(s));
  if (innerDefaults.length > 0)
    notes.push(
      `symbolic dims inside the graph with no other source, taken as 1: ${innerDefaults.slice(0, 10).join(", ")}${innerDefaults.length > 10 ? `, … (${innerDefaults.length} in all)` : ""}`,
    );
  if (stats.assumed + stats.unknown > 0) {
    const ops = [...stats.assumedOps].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ×${n}`);
    const what = [
      stats.assumed ? `${plural(stats.assumed, "value")} ASSUMED shaped like their node's first input` : "",
      stats.unknown ? `${plural(stats.unknown, "value")} of unknown size (counted as 0)` : "",
    ]
      .filter(Boolean)
      .join(" and ");
    notes.push(
      `${what}, for lack of a shape rule or value_info: ${ops.slice(0, 12).join(", ")}${ops.length > 12 ? ", …" : ""}`,
    );
  }
  notes.push(...stats.notes);
  if (!weights.exact) notes.push("weights of unknown size are not counted (see problems)");
  if (peak.uncounted.length > 0)
    notes.push(
      `values too large to count exactly (past 2^53 bytes) are not counted: ${peak.uncounted.map((n) => `"${n}"`).join(", ")}`,
    );

  const symbolReport: MemoryReport["symbols"] = {};
  for (const [name, value] of symbols.bound)
    symbolReport[name] = { value, source: userBound.has(name) ? "given" : "default" };
  for (const name of symbols.defaulted) symbolReport[name] ??= { value: 1, source: "default" };
  const inputShapes: Record<string, number[]> = {};
  inputs.forEach((input, k) => {
    const shape = inputInfos[k]?.shape;
    if (shape) inputShapes[input.name] = shape;
  });

  return {
    inputShapes,
    symbols: symbolReport,
    weightsBytes,
    inputBytes: peak.inputBytes,
    peakActivationBytes: peak.peakBytes,
    estimatedPeakBytes: weightsBytes + peak.peakBytes,
    exact: weights.exact && peak.exact && Number.isSafeInteger(weightsBytes + peak.peakBytes),
    ...(peak.at ? { peakAt: peak.at } : {}),
    shapeSources: {
      valueInfo: stats.fromValueInfo,
      rule: stats.fromRule,
      assumed: stats.assumed,
      unknown: stats.unknown,
    },
    assumedOps: Object.fromEntries(stats.assumedOps),
    method: MEMORY_METHOD,
    notes,
  };
}

/** The inspect report of an ONNX model already read. */
export function inspectOnnx(model: OnnxModel, options: InspectOptions = {}): InspectReport {
  const proto = model.proto;
  const signature = modelSignature(proto);
  const parameters = parameterStats(proto);
  const weights = parameters.all.total;
  const memory = estimateMemory(model, { bytes: weights.bytes, exact: !weights.unknown }, options);
  const problems = modelProblems(proto);
  return {
    file: {
      path: model.path,
      format: "onnx",
      sizeBytes: model.sizeBytes,
      externalDataFiles: model.external.files,
      externalDataBytes: model.external.totalBytes,
    },
    model: {
      irVersion: signature.irVersion,
      opsetImports: signature.opsetImports,
      producer: { name: proto.producerName, version: proto.producerVersion },
      domain: proto.domain,
      modelVersion: Number(proto.modelVersion),
      docString: proto.docString,
      metadata: Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value])),
    },
    inputs: signature.inputs,
    outputs: signature.outputs,
    nodes: nodeStats(proto),
    parameters,
    memory,
    fits: deviceFit(
      memory.estimatedPeakBytes,
      problems.length > 0
        ? `the model has ${problems.length === 1 ? "a problem" : "problems"} (see problems)`
        : !memory.exact
          ? "a size could not be counted exactly (see memory notes)"
          : undefined,
    ),
    problems,
  };
}

/**
 * Inspects the model at `path`. Throws `model/not-found`, `model/invalid` (with the byte offset where reading
 * failed), `model/unsupported`, `model/external-data`, or `run/input` for input shapes that do not match the model.
 */
export async function inspectModel(path: string, options: InspectOptions = {}): Promise<InspectReport> {
  const opened = await openModel(path);
  try {
    return inspectOnnx(opened.onnx, options);
  } finally {
    await opened.onnx.close();
  }
}
