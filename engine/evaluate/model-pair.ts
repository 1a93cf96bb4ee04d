// Two models run on the same inputs: sessions made with the runner's options, feeds resolved once from the
// original's signature (dataset samples, then the recipe's input specs, then synthetic data) and converted to
// each model's input dtypes (an fp16 model may take float16 where the original takes float32).
import { EdgeError } from "../errors";
import type { EventSink } from "../events";
import { type Sample, type TensorData, convertTensor, isDtype } from "../data/typed-tensor";
import type { ModelSignature } from "../onnx/signature";
import { readModelFiles } from "../run/model-files";
import { resolveFeeds } from "../run/feeds";
import { type Ort, type OrtSession, loadOrt, ortSessionOptions } from "../run/ort";
import type { CompareOptions, ModelSize } from "./types";

export type OrtTensor = InstanceType<Ort["Tensor"]>;
export type OrtOutputs = Record<string, OrtTensor>;

export interface EvalModel {
  path: string;
  signature: ModelSignature;
  size: ModelSize;
  session: OrtSession;
}

/** A model's files and size (external data checked with a stat, not read) and its signature. */
export async function modelSize(path: string): Promise<{ size: ModelSize; signature: ModelSignature }> {
  const files = await readModelFiles(path);
  return { size: { path, sizeBytes: files.sizeBytes, files: files.files }, signature: files.signature };
}

/** A session for a model file, with the runner's CPU options; onnxruntime's refusal is a `run/failed` error. */
export async function createSession(
  ort: Ort,
  source: string | Uint8Array,
  label: string,
  externalDir?: string,
): Promise<OrtSession> {
  const options = ortSessionOptions();
  // A model given as bytes resolves external data against this folder (onnxruntime ≥ 1.18 session option).
  if (externalDir !== undefined)
    options.extra = { session: { model_external_initializers_file_folder_path: externalDir } };
  try {
    return typeof source === "string"
      ? await ort.InferenceSession.create(source, options)
      : await ort.InferenceSession.create(source, options);
  } catch (e) {
    throw new EdgeError(
      "run/failed",
      `onnxruntime could not create a session for ${label}: ${(e as Error).message}`,
      { file: label },
      undefined,
      { cause: e },
    );
  }
}

export async function openEvalModel(ort: Ort, path: string): Promise<EvalModel> {
  const { size, signature } = await modelSize(path);
  return { path, signature, size, session: await createSession(ort, path, path) };
}

/** A sink that keeps warnings as text (the feeds resolver reports unbound dims and dtype conversions there). */
export function warningSink(warnings: string[]): EventSink {
  return {
    emit(event) {
      if (event.type === "log" && event.level === "warning" && !warnings.includes(event.message))
        warnings.push(event.message);
    },
  };
}

/**
 * The complete samples to feed: every input of `signature` in each, from `samples` where they have it, else
 * synthetic (deterministic, from the seed). One synthetic sample when no samples are given.
 */
export function resolveSamples(
  signature: ModelSignature,
  path: string,
  options: Pick<CompareOptions, "samples" | "synthetic" | "maxSamples">,
  warnings: string[],
): Sample[] {
  const samples = options.samples?.slice(0, options.maxSamples ?? Infinity);
  const feedSet = resolveFeeds(
    signature,
    {
      modelPath: path,
      outDir: "",
      inputs: options.synthetic?.inputs,
      dims: options.synthetic?.dims,
      seed: options.synthetic?.seed,
      samples,
    },
    warningSink(warnings),
  );
  return feedSet.samples;
}

/** Checks that the optimized model takes the inputs the original does (same names); dtypes may differ. */
export function checkSameInputs(original: ModelSignature, optimized: ModelSignature, optimizedPath: string): void {
  const a = new Set(original.inputs.map((i) => i.name));
  const b = new Set(optimized.inputs.map((i) => i.name));
  const missing = [...a].filter((n) => !b.has(n));
  const extra = [...b].filter((n) => !a.has(n));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length ? `lacks ${missing.map((n) => `"${n}"`).join(", ")}` : "",
      extra.length ? `adds ${extra.map((n) => `"${n}"`).join(", ")}` : "",
    ].filter(Boolean);
    throw new EdgeError(
      "run/input",
      `the optimized model's inputs differ from the original's: it ${parts.join(" and ")}`,
      { file: optimizedPath },
      "compare models that take the same inputs",
    );
  }
}

/** onnxruntime feeds for `signature`, converting each tensor to the dtype the model declares. */
export function toOrtFeeds(ort: Ort, sample: Sample, signature: ModelSignature): Record<string, OrtTensor> {
  const feeds: Record<string, OrtTensor> = {};
  for (const input of signature.inputs) {
    let t: TensorData | undefined = sample[input.name];
    if (!t) throw new EdgeError("run/input", `no data for input "${input.name}"`);
    if (isDtype(input.dtype) && input.dtype !== t.dtype) t = convertTensor(t, input.dtype);
    feeds[input.name] = new ort.Tensor(t.dtype, t.data, t.shape);
  }
  return feeds;
}

/** Runs a session, making an onnxruntime failure a `run/failed` error naming the model and the sample. */
export async function runSession(
  ort: Ort,
  model: { session: OrtSession; path: string; signature: ModelSignature },
  sample: Sample,
  index: number,
  fetches?: string[],
): Promise<OrtOutputs> {
  try {
    const feeds = toOrtFeeds(ort, sample, model.signature);
    return (fetches ? await model.session.run(feeds, fetches) : await model.session.run(feeds)) as OrtOutputs;
  } catch (e) {
    if (e instanceof EdgeError) throw e;
    throw new EdgeError(
      "run/failed",
      `inference failed on sample ${index}: ${(e as Error).message}`,
      { file: model.path },
      undefined,
      { cause: e },
    );
  }
}

export { loadOrt };
export type { Ort };
