// The fusion step of a compile: fuse a copy of the model, let ONNX Runtime optimize it as usual, and check it against
// the unfused model (verify-fusion.ts). When the check fails, each fused op is tried alone and only those that keep
// the results are kept; when none does, the caller compiles the unfused model and the report says what was dropped
// and why. Never a silently different model.
import type { ModelProto } from "onnx-buf";
import { join } from "node:path";
import { promises as fs } from "node:fs";
import type { ReportFusions } from "../../../common/optimization";
import type { OnnxModel } from "../../onnx/read-model";
import { modelSignature } from "../../onnx/signature";
import { writeModel } from "../../onnx/write-model";
import type { GraphOptimization as OptimizationLevel } from "../../../common/optimization";
import type { Fusion } from "./fusion-types";
import { FUSIONS, fuseGraph, type FuseResult } from "./fuse-graph";
import { emptyCheck, type FusionCheck, verifyFusion } from "./verify-fusion";

/** Ops whose inputs are quantized on the fly: a rounding difference before them can move a value to the next step. */
const QUANTIZED_OPS = new Set(["DynamicQuantizeLinear", "MatMulNBits", "QuantizeLinear", "DynamicQuantizeMatMul"]);
const QUANTIZED_HINT =
  " (the model is quantized: the fused op rounds floats differently, by about 1e-7, and that moves activations the " +
  "next layer quantizes to a neighbouring integer step; compile the float model with fusions before quantizing to keep it)";

/** Most unmatched patterns listed in the report (all are counted). */
const MAX_LISTED = 40;

export interface FuseForCompileInput {
  /** The model to fuse (with fixed dims applied); not modified. */
  proto: ModelProto;
  /** The source model, for its external data. */
  source: OnnxModel;
  /** The unfused model as onnxruntime loads it (the reference of the check). */
  reference: string;
  /** A scratch folder of this compile. */
  work: string;
  /** ONNX Runtime's optimization of a model file into a folder; returns the optimized model's path. */
  optimize: (input: string, dir: string) => Promise<string>;
  optimization: OptimizationLevel;
  fixedShapes: Record<string, number>;
  fusions?: Fusion[];
}

export interface FuseForCompileResult {
  /** The optimized fused model (in its own folder of `work`), when one passed the check. */
  staged?: string;
  report: ReportFusions;
  warnings: string[];
}

/** A shallow copy whose node list and opset imports can be replaced without touching `model` (weights are shared). */
function editableCopy(model: ModelProto): ModelProto {
  return {
    ...model,
    opsetImport: [...model.opsetImport],
    graph: model.graph && { ...model.graph, node: [...model.graph.node] },
  };
}

function describe(check: FusionCheck): string {
  if (check.problem) return check.problem;
  const parts = [];
  if (check.maxRelativeDiff > check.tolerance)
    parts.push(
      `outputs differ from the unfused model by ${check.maxRelativeDiff.toPrecision(2)} relative at ${check.worst} (tolerance ${check.tolerance})`,
    );
  if (!check.tokensEqual) parts.push("greedy tokens differ");
  return parts.join("; ");
}

export async function fuseForCompile(input: FuseForCompileInput): Promise<FuseForCompileResult> {
  const started = performance.now();
  const all = input.fusions ?? FUSIONS;
  const signature = modelSignature(input.proto);
  let attempt = 0;
  const tryFusions = async (
    fusions: Fusion[],
  ): Promise<{ fused: FuseResult; staged?: string; check?: FusionCheck }> => {
    const copy = editableCopy(input.proto);
    const fused = fuseGraph(copy, fusions);
    if (Object.keys(fused.applied).length === 0) return { fused };
    const dir = join(input.work, `fused-${attempt++}`);
    await fs.mkdir(dir, { recursive: true });
    const path = join(dir, "fused.onnx");
    await writeModel({ ...input.source, proto: copy }, path, { externalData: "inline" });
    let staged: string;
    try {
      staged = await input.optimize(path, dir);
    } catch (e) {
      return {
        fused,
        check: emptyCheck("forward", `onnxruntime could not optimize the fused model: ${(e as Error).message}`),
      };
    } finally {
      await fs.rm(path, { force: true });
    }
    try {
      const check = await verifyFusion(input.reference, staged, {
        signature,
        optimization: input.optimization,
        fixedShapes: input.fixedShapes,
      });
      return { fused, staged, check };
    } catch (e) {
      // The unfused model itself did not load or run: the compile of the unfused model reports that properly.
      return { fused, check: emptyCheck("forward", `the check could not run: ${(e as Error).message}`) };
    }
  };

  const quantized = input.proto.graph?.node.some((n) => QUANTIZED_OPS.has(n.opType)) ?? false;
  const first = await tryFusions(all);
  const report: ReportFusions = {
    applied: {},
    dropped: [],
    unmatched: first.fused.unmatched.slice(0, MAX_LISTED),
    unmatchedCount: first.fused.unmatched.length,
    durationMs: 0,
  };
  const warnings: string[] = [];
  let chosen = first;
  if (first.check && !first.check.passed) {
    const found = Object.keys(first.fused.applied);
    // Each fused op alone, keeping those that hold, then together.
    const kept: Fusion[] = [];
    let last: typeof first | undefined;
    for (const fusion of all.filter((f) => found.includes(f.name))) {
      const trial = await tryFusions([...kept, fusion]);
      if (trial.check?.passed) {
        kept.push(fusion);
        last = trial;
      } else {
        report.dropped.push(fusion.name);
        const why = trial.check ? describe(trial.check) : "nothing matched alone";
        warnings.push(
          `fusion ${fusion.name} dropped: ${why}; the model is compiled without it${quantized ? QUANTIZED_HINT : ""}`,
        );
      }
    }
    chosen = last ?? { fused: { ...first.fused, applied: {} } };
    if (!last) report.verification = first.check;
  }
  if (chosen.check?.passed) {
    report.applied = chosen.fused.applied;
    report.verification = chosen.check;
  }
  report.durationMs = performance.now() - started;
  return { staged: chosen.check?.passed ? chosen.staged : undefined, report, warnings };
}
