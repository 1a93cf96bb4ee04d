// Calibration for int8-static: runs the float model in onnxruntime-node on the calibration samples with the
// tensors to quantize exposed as extra outputs (serialized in memory; external data is read from the model's
// folder), folds each sample's values into one collector per tensor (min/max, and a histogram of |x| for
// percentile and entropy), drops them, and gives a [lo, hi] range per tensor at the end.
import { toBinary } from "@bufbuild/protobuf";
import { ModelProtoSchema } from "onnx-buf";
import { EdgeError } from "../../errors";
import { convertTensor, isDtype, type Sample } from "../../data/typed-tensor";
import type { OnnxModel } from "../../onnx/read-model";
import { type ModelSignature, modelSignature } from "../../onnx/signature";
import { loadOrt, type OrtSession } from "../../run/ort";
import { exposeTensors } from "./expose";
import { ChannelRanges, RangeCollector, type TensorRange } from "./histogram";
import type { CalibrationMethod } from "../types";

export type { TensorRange };

export interface CalibrateOptions {
  method: CalibrationMethod;
  samples: Sample[];
  /** percentile: share of |x| kept, in percent (default 99.999). */
  percentile?: number;
  /** entropy: quantized magnitude levels (128 for 8-bit activations, 256 for 16-bit). */
  quantizedBins?: number;
  /** Which tensors are known float32 (those inside If branches must be). */
  float32: (name: string) => boolean;
  /** Tensors whose per-channel min/max (axis 1) are collected too. */
  channels?: ReadonlySet<string>;
  signal?: AbortSignal;
  onSample?: (done: number, total: number) => void;
}

export interface Calibration {
  ranges: Map<string, TensorRange>;
  /** The min and max each tensor reached (equal to `ranges` for minmax; percentile and entropy clip inside them). */
  extremes: Map<string, TensorRange>;
  /** Per-channel ranges of the tensors asked for in `channels` (those with a channel axis). */
  channelRanges: Map<string, TensorRange[]>;
  /** Tensors asked for that calibration could not see (Loop/Scan bodies, non-float tensors, branches never taken). */
  missing: string[];
  warnings: string[];
}

function calibrationError(model: OnnxModel, message: string, hint?: string, cause?: unknown): EdgeError {
  return new EdgeError(
    "run/failed",
    `calibration: ${message}`,
    { file: model.path },
    hint,
    cause === undefined ? undefined : { cause },
  );
}

export async function openSession(model: OnnxModel, bytes: Uint8Array): Promise<OrtSession> {
  const ort = await loadOrt();
  const options: Parameters<typeof ort.InferenceSession.create>[1] = {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
  };
  // A model given as bytes resolves its external data against this folder.
  if (model.external.tensors > 0)
    options.extra = {
      session: { model_external_initializers_file_folder_path: model.dir },
    };
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (e) {
    throw calibrationError(
      model,
      `onnxruntime could not load the model with its intermediate tensors exposed: ${(e as Error).message}`,
      undefined,
      e,
    );
  }
}

/** The samples as onnxruntime feeds, converted to the model's input dtypes; names checked against its inputs. */
export async function feedsOf(
  model: OnnxModel,
  signature: ModelSignature,
  sample: Sample,
  index: number,
): Promise<Record<string, unknown>> {
  const ort = await loadOrt();
  const feeds: Record<string, unknown> = {};
  const inputs = signature.inputs.map((i) => i.name);
  for (const name of Object.keys(sample)) {
    if (!inputs.includes(name))
      throw new EdgeError(
        "data/invalid",
        `calibration sample ${index} has a tensor "${name}", which is not an input of the model; its inputs are ${inputs.map((i) => `"${i}"`).join(", ")}`,
        {
          file: model.path,
        },
      );
  }
  for (const input of signature.inputs) {
    const t = sample[input.name];
    if (!t)
      throw new EdgeError(
        "data/invalid",
        `calibration sample ${index} lacks input "${input.name}"`,
        { file: model.path },
        "every calibration sample must give every model input",
      );
    const data = isDtype(input.dtype) && t.dtype !== input.dtype ? convertTensor(t, input.dtype) : t;
    feeds[input.name] = new ort.Tensor(data.dtype, data.data, data.shape);
  }
  return feeds;
}

/** Ranges of `tensors` over the samples, by the chosen method. The model's proto is not modified. */
export async function calibrate(
  model: OnnxModel,
  tensors: Iterable<string>,
  options: CalibrateOptions,
): Promise<Calibration> {
  if (options.samples.length === 0)
    throw new EdgeError("recipe/invalid", "calibration needs at least one sample", { file: model.path });
  if (options.method === "percentile") {
    const p = options.percentile ?? 99.999;
    if (!(p > 0 && p <= 100))
      throw new EdgeError(
        "recipe/invalid",
        `calibration percentile ${p} is not in (0, 100]`,
        { file: model.path },
        "e.g. percentile: 99.999",
      );
  }
  const wanted = [...new Set(tensors)];
  const exposed = exposeTensors(model.proto, wanted, options.float32);
  const warnings: string[] = [];
  let session: OrtSession;
  try {
    session = await openSession(model, toBinary(ModelProtoSchema, exposed.proto));
  } catch (e) {
    // If a branch tensor's type was guessed wrong, the branches disagree; fall back to the main graph alone.
    const mainOnly = exposeTensors(
      model.proto,
      wanted,
      (name) => options.float32(name) && model.proto.graph!.node.some((n) => n.output.includes(name)),
    );
    if (mainOnly.outputs.size === exposed.outputs.size) throw e;
    warnings.push(
      `calibration could not expose tensors inside If branches (${(e as Error).message.split("\n")[0]}); nodes inside branches stay float`,
    );
    Object.assign(exposed, mainOnly);
    session = await openSession(model, toBinary(ModelProtoSchema, exposed.proto));
  }
  const collectors = new Map<string, RangeCollector>();
  for (const name of exposed.outputs.values())
    collectors.set(
      name,
      new RangeCollector({
        method: options.method,
        percentile: options.percentile,
        quantizedBins: options.quantizedBins,
      }),
    );
  const channels = new Map<string, ChannelRanges>();
  for (const name of options.channels ?? []) channels.set(name, new ChannelRanges());
  const fetches = [...exposed.outputs.keys()];
  const signature = modelSignature(model.proto);
  const nonFloat = new Set<string>();
  try {
    for (let i = 0; i < options.samples.length; i++) {
      if (options.signal?.aborted)
        throw new EdgeError("run/failed", "quantization stopped before it finished; nothing was written", {
          file: model.path,
        });
      const feeds = await feedsOf(model, signature, options.samples[i], i);
      let results: Awaited<ReturnType<OrtSession["run"]>>;
      try {
        results = await session.run(feeds as Parameters<OrtSession["run"]>[0], fetches);
      } catch (e) {
        throw calibrationError(
          model,
          `running the float model on sample ${i} failed: ${(e as Error).message}`,
          "check that the calibration data has the shapes and dtypes the model takes",
          e,
        );
      }
      for (const [output, tensor] of Object.entries(results)) {
        const name = exposed.outputs.get(output);
        if (name === undefined) continue;
        if (tensor.type !== "float32") nonFloat.add(name);
        else {
          collectors.get(name)!.add(tensor.data as Float32Array);
          const perChannel = channels.get(name);
          if (perChannel && !perChannel.add(tensor.data as Float32Array, tensor.dims)) channels.delete(name);
        }
        tensor.dispose();
      }
      options.onSample?.(i + 1, options.samples.length);
    }
  } finally {
    await session.release();
  }
  const ranges = new Map<string, TensorRange>();
  const extremes = new Map<string, TensorRange>();
  const missing = [...exposed.unreachable, ...nonFloat];
  for (const [name, collector] of collectors) {
    if (nonFloat.has(name)) continue;
    const range = collector.range();
    if (range) ranges.set(name, range);
    if (range) extremes.set(name, { lo: collector.min, hi: collector.max });
    else missing.push(name);
    if (collector.nonFinite > 0)
      warnings.push(
        `calibration: tensor "${name}" had ${collector.nonFinite} values that are not finite; its range ignores them`,
      );
  }
  const channelRanges = new Map<string, TensorRange[]>();
  for (const [name, perChannel] of channels) {
    const r = perChannel.ranges();
    if (r && !nonFloat.has(name)) channelRanges.set(name, r);
  }
  return { ranges, extremes, channelRanges, missing, warnings };
}
