// The exact float rewrites int8-static makes before calibrating, in order: BatchNormalization folded into the Conv
// before it (fold.ts); cross-layer equalization of Conv → (Relu) → Conv pairs (conv-pairs.ts); and equalization of the
// channels of the tensors depthwise Convs read, measured on the calibration samples (activations.ts). Each
// leaves the float model's outputs as they were (up to float rounding) and says what it did in the warnings.
import type { Sample } from "../../data/typed-tensor";
import { calibrate } from "../calibrate/run";
import { elementTypes } from "../calibrate/element-types";
import type { QuantizeContext } from "../graph/context";
import { equalizeConvPairs } from "./conv-pairs";
import { activationSites, equalizeActivations } from "./activations";
import { foldIntoConvs } from "./fold";
import { TensorProto_DataType as DT } from "onnx-buf";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function equalizeModel(ctx: QuantizeContext, samples: Sample[]): Promise<void> {
  const folded = await foldIntoConvs(ctx);
  if (folded > 0)
    ctx.warnings.push(
      `folded ${plural(folded, "BatchNormalization node")} into the Convs before them (exact in float; one quantized tensor instead of two)`,
    );
  const pairs = await equalizeConvPairs(ctx);
  if (pairs > 0)
    ctx.warnings.push(
      `equalized ${plural(pairs, "Conv → Conv pair")} across layers (exact in float; the tensors between them are renamed <name>_equalized)`,
    );
  const sites = activationSites(ctx);
  if (sites.length === 0) return;
  const types = elementTypes(ctx.model.proto);
  const names = sites.map((site) => site.tensor);
  const measured = await calibrate(ctx.model, names, {
    method: "minmax",
    samples,
    channels: new Set(names),
    float32: (name) => types.get(name) === DT.FLOAT,
    signal: ctx.signal,
  });
  const rescaled = await equalizeActivations(ctx, sites, measured.channelRanges);
  if (rescaled > 0)
    ctx.warnings.push(
      `equalized the channels of ${plural(rescaled, "tensor")} read by depthwise Convs, measured on the calibration samples (exact in float; renamed <name>_equalized)`,
    );
}
