// quantizeModel: reads the source model (never writing to it), sorts graphs that are out of order, raises the
// opset when the method needs a newer one and that is safe, runs the method, drops weights nothing reads any more,
// and writes the result atomically (temporary files, renamed only when complete). Models that had external data
// are streamed: each weight is read, quantized and appended to the output's data file one at a time.
import { promises as fs } from "node:fs";
import { resolve } from "node:path";
import { EdgeError } from "../errors";
import { readModel } from "../onnx/read-model";
import { refuseWritingOverModel } from "../onnx/source-files";
import { upgradeOpset } from "../onnx/opset-upgrade";
import { newContext, type QuantizeContext } from "./graph/context";
import { defaultOpset, pruneUnused, scopes, topoSort } from "./graph/edit";
import { quantizeFp16 } from "./methods/fp16";
import { quantizeInt4WeightOnly } from "./methods/int4";
import { quantizeInt8Dynamic } from "./methods/int8-dynamic";
import { quantizeInt8Static } from "./methods/int8-static";
import { TensorStore } from "./graph/tensor-store";
import {
  type QuantMethod,
  quantMethods,
  type QuantizeOptions,
  type QuantizeProgress,
  type QuantizeResult,
} from "./types";

interface Method {
  run: (ctx: QuantizeContext) => Promise<void>;
  /** Default-domain opset the nodes it writes need. */
  minOpset: (options: QuantizeOptions) => number;
  /** What it looks for, for the "nothing to quantize" error. */
  handles: string;
}

const methods: Record<QuantMethod, Method> = {
  "int8-dynamic": {
    run: quantizeInt8Dynamic,
    minOpset: () => 11,
    handles: "MatMul, Gemm or Conv with a constant float weight",
  },
  "int8-static": {
    run: quantizeInt8Static,
    minOpset: (o) => ((o.perChannel ?? true) || (o.activationType ?? "uint8").endsWith("16") ? 13 : 10),
    handles: "operators with float activations and weights (Conv, MatMul, Gemm, …)",
  },
  "int4-weight-only": {
    run: quantizeInt4WeightOnly,
    minOpset: () => 1,
    handles: "MatMul with a constant 2-D float weight",
  },
  fp16: { run: quantizeFp16, minOpset: () => 6, handles: "float32 tensors" },
};

export interface QuantizeHooks {
  onProgress?: (progress: QuantizeProgress) => void;
  signal?: AbortSignal;
  /** Warnings as they happen (they are in the result too). */
  onWarning?: (message: string) => void;
}

/** Models whose weights are at least this big are written with external data even if the source had none. */
const EXTERNAL_OUTPUT_BYTES = 1.5e9;

export async function quantizeModel(
  src: string,
  out: string,
  options: QuantizeOptions,
  hooks: QuantizeHooks = {},
): Promise<QuantizeResult> {
  const started = performance.now();
  if (!quantMethods.includes(options.method)) {
    throw new EdgeError(
      "recipe/invalid",
      `unknown quantization method "${String(options.method)}"`,
      {},
      `one of: ${quantMethods.join(", ")}`,
    );
  }
  if (options.blockSize !== undefined && ![16, 32, 64, 128].includes(options.blockSize)) {
    throw new EdgeError(
      "recipe/invalid",
      `block_size ${options.blockSize} is not one MatMulNBits supports`,
      {},
      "use 16, 32, 64 or 128",
    );
  }
  const model = await readModel(src);
  const sourceBytes = model.sizeBytes + model.external.totalBytes;
  const external = model.external.tensors > 0 || sourceBytes > EXTERNAL_OUTPUT_BYTES;
  try {
    // The output, and its data file when it has one (TensorStore names it `OUT.data`), are never a source file.
    await refuseWritingOverModel(model, [out, ...(external ? [`${resolve(out)}.data`] : [])]);
  } catch (e) {
    await model.close();
    throw e;
  }
  const store = new TensorStore(resolve(out), external);
  const ctx = newContext(model, options, store, src);
  ctx.onProgress = hooks.onProgress;
  ctx.signal = hooks.signal;
  const method = methods[options.method];
  try {
    for (const scope of scopes(model.proto)) {
      if (topoSort(scope.graph, src))
        ctx.warnings.push(`the nodes of the ${scope.label} were not in topological order; sorted them first`);
    }
    const from = defaultOpset(model.proto);
    const need = method.minOpset(options);
    let to = from;
    if (from < need) {
      const upgrade = upgradeOpset(model.proto, need, { file: src });
      to = upgrade.to;
      const rewritten = upgrade.changes.filter((c) => !c.includes("kept as is")).length;
      ctx.warnings.push(
        `the model's opset ${from} is below the ${need} that ${options.method} needs; upgraded it to ${to}${rewritten ? ` (${rewritten} node${rewritten === 1 ? "" : "s"} rewritten)` : ""}`,
      );
    }
    await method.run(ctx);
    if (ctx.quantized.length === 0) {
      const reasons = ctx.skipped.slice(0, 5).map((s) => `${s.node} (${s.opType}): ${s.reason}`);
      throw new EdgeError(
        "model/unsupported",
        `${options.method} found nothing to quantize in this model: it needs ${method.handles}${reasons.length ? `; skipped ${reasons.join("; ")}` : ""}`,
        { file: src, node: ctx.skipped[0]?.node },
        ctx.skipped.length
          ? "check `include`/`exclude`, or choose another method"
          : "this model has no node the method handles; choose another method",
      );
    }
    pruneUnused(model.proto, ctx.replaced);
    for (const w of ctx.warnings) hooks.onWarning?.(w);
    const written = await store.finish(model.proto, model);
    return {
      method: options.method,
      source: resolve(src),
      output: resolve(out),
      dataPath: written.dataPath,
      sourceBytes,
      outputBytes: written.sizeBytes,
      quantized: ctx.quantized,
      skipped: ctx.skipped,
      weights: ctx.weightCount,
      opset: { from, to },
      warnings: ctx.warnings,
      durationMs: performance.now() - started,
    };
  } catch (e) {
    await store.abort();
    throw e;
  } finally {
    await model.close();
  }
}

/** Total bytes of a written model: the file and its external data file, if any. */
export async function modelBytes(path: string): Promise<number> {
  const size = async (p: string) => (await fs.stat(p).catch(() => undefined))?.size ?? 0;
  return (await size(path)) + (await size(`${path}.data`));
}
