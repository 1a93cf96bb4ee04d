// `compileModel(src, out, options)`: ONNX Runtime offline optimization at a level, saved as a model through the
// `optimizedModelFilePath` session option, after fixing named symbolic dims in a copy. Everything is written in a
// temporary folder beside `out` and renamed into place when complete; the source model is never modified.
import type { GraphOptimization, ReportCompile } from "../../common/optimization";
import { promises as fs } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { EdgeError } from "../errors";
import { commitTempFile } from "../fs/atomic";
import { makeTempDir, removeTempPath } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import { decodeModel, readModel } from "../onnx/read-model";
import { refuseWritingOverModel } from "../onnx/source-files";
import { writeModel } from "../onnx/write-model";
import { loadOrt, ortVersion } from "../run/ort";
import { compileKey, keepCompile, reuseCompile } from "./compile-cache";
import { fixShapes, symbolicDims } from "./fix-shapes";
import { fuseForCompile } from "./fusions/fuse-for-compile";
import type { Fusion } from "./fusions/fusion-types";
import type { ReportFusions } from "../../common/optimization";

/** ONNX Runtime's graph optimization levels (the recipe's `compile.optimization`). */
export type OptimizationLevel = GraphOptimization;

export interface CompileOptions {
  /** Graph optimization level (the recipe's `compile.optimization`); default "all". */
  optimization?: OptimizationLevel;
  /** The provider the model is compiled for (the recipe's `compile.provider`); default "cpu". Only warnings depend on it. */
  provider?: string;
  /** Sizes for named symbolic dims (the recipe's `compile.fixed_shapes`). */
  fixedShapes?: Record<string, number>;
  /**
   * Other files the caller writes for this compile (`edge compile`'s partitions.json beside OUT): refused, like OUT,
   * when one is a file of the source model, before anything is written.
   */
  alsoWrites?: string[];
  /**
   * A folder of earlier compiles (compile-cache.ts): the same source, options and onnxruntime give the bytes written
   * then, so a device that has them needs nothing pushed. Default none (always compile).
   */
  cacheDir?: string;
  /**
   * Transformer fusions (fusions/): attention, residual + LayerNormalization into ONNX Runtime's contrib ops, each
   * checked against the unfused model (the recipe's `compile.fuse`, `edge compile --no-fuse`). Default true; they
   * run only for the CPU provider and an optimization level other than "disabled".
   */
  fuse?: boolean;
  /** The fusion passes (default all of fusions/FUSIONS); tests hand their own. */
  fusions?: Fusion[];
}

/** Why fusions do not run for these options, or undefined when they do. */
export function fusionsSkipped(fuse: boolean, provider: string, optimization: OptimizationLevel): string | undefined {
  if (!fuse) return "turned off (edge compile --no-fuse, or compile.fuse: false)";
  if (provider !== "cpu")
    return `the fused ops are ONNX Runtime contrib ops for the CPU provider; none are written for ${provider}`;
  if (optimization === "disabled") return 'optimization is "disabled"';
  return undefined;
}

/** What a compile wrote (report.json's compile section without the support summary). */
export type CompileResult = Omit<ReportCompile, "support">;

/** Most external-data bytes a model may have to be compiled (it is inlined for onnxruntime, under protobuf's 2 GB). */
const MAX_INLINED_BYTES = 1.5 * 2 ** 30;

export const OPTIMIZATION_LEVELS: OptimizationLevel[] = ["disabled", "basic", "extended", "all"];

/**
 * Compiles `src` into `out`. Throws `recipe/invalid` for a bad level or a fixed dim the model lacks,
 * `model/*` for an unreadable model or one onnxruntime refuses, `io/write` when writing fails.
 */
export async function compileModel(src: string, out: string, options: CompileOptions = {}): Promise<CompileResult> {
  const optimization = options.optimization ?? "all";
  const provider = options.provider ?? "cpu";
  if (!OPTIMIZATION_LEVELS.includes(optimization)) {
    throw new EdgeError(
      "recipe/invalid",
      `unknown optimization level "${String(optimization)}"`,
      {},
      `use one of ${OPTIMIZATION_LEVELS.join(", ")}`,
    );
  }
  const target = resolve(out);
  const source = await readModel(src);
  try {
    // OUT, the OUT.data onnxruntime writes beside it for a model with external data, and what the caller writes
    // beside them are never one of the source's files.
    const data = source.external.tensors > 0 ? [`${target}.data`] : [];
    await refuseWritingOverModel(source, [target, ...data, ...(options.alsoWrites ?? [])]);
  } catch (e) {
    await source.close();
    throw e;
  }
  const fixedShapes = options.fixedShapes ?? {};
  let cacheKey: string | undefined;
  if (options.cacheDir) {
    cacheKey = await compileKey({
      sourceFiles: [source.path, ...source.external.files],
      target,
      optimization,
      provider,
      fixedShapes,
      fuse: fusionsSkipped(options.fuse ?? true, provider, optimization) === undefined,
      ortVersion: ortVersion(await loadOrt()),
    });
    const reused = await reuseCompile(options.cacheDir, cacheKey, target);
    if (reused) {
      await source.close();
      return { ...reused, reused: true };
    }
  }
  const warnings: string[] = [];
  if (provider !== "cpu" && (optimization === "extended" || optimization === "all")) {
    warnings.push(
      `optimization "${optimization}" writes fusions and layouts (com.microsoft contrib ops such as FusedConv, NCHWc) that only the CPU provider runs, but the target is ${provider}: ` +
        'ONNX Runtime applies extended and layout optimizations after partitioning, to nodes assigned to the CPU (or CUDA) provider; save with "basic" offline for other providers and let the session apply the rest',
    );
  }

  let work: string;
  try {
    await ensureDir(dirname(target));
    work = await makeTempDir(join(dirname(target), `.${basename(target)}.compile`));
  } catch (e) {
    await source.close();
    throw e;
  }
  try {
    const fixed = fixShapes(source.proto, fixedShapes, src);
    // The model onnxruntime loads: the source itself, or the fixed copy (with its own external data, if any).
    // onnxruntime keeps initializers that were external in its input as references to that file, so a model with
    // external data is handed over inlined; onnxruntime then writes OUT.data itself (tensors of 1 KiB and more).
    let input = source.path;
    if (source.external.tensors > 0 && source.external.totalBytes > MAX_INLINED_BYTES) {
      throw new EdgeError(
        "model/unsupported",
        `compiling a model with ${source.external.totalBytes} bytes of external data is not supported yet`,
        { file: src },
        `the limit is ${MAX_INLINED_BYTES} bytes (onnxruntime needs the weights inline to rewrite them)`,
      );
    }
    if (Object.keys(fixedShapes).length > 0 || source.external.tensors > 0) {
      input = join(work, "fixed.onnx");
      await writeModel({ ...source, proto: fixed.proto }, input, { externalData: "inline" });
    }
    const hasExternal = source.external.tensors > 0;
    const dataName = `${basename(target)}.data`;
    const ort = await loadOrt();
    /** ONNX Runtime's optimization of `model` into `dir`, under OUT's file name; returns the written model's path. */
    const optimize = async (model: string, dir: string): Promise<string> => {
      const optimized = join(dir, basename(target));
      const session = await ort.InferenceSession.create(model, {
        executionProviders: ["cpu"],
        graphOptimizationLevel: optimization,
        optimizedModelFilePath: optimized,
        logSeverityLevel: 3,
        ...(Object.keys(fixedShapes).length > 0 ? { freeDimensionOverrides: fixedShapes } : {}),
        ...(hasExternal
          ? {
              extra: {
                session: {
                  "session.optimized_model_external_initializers_file_name": dataName,
                  "session.optimized_model_external_initializers_min_size_in_bytes": "1024",
                },
              },
            }
          : {}),
      });
      await session.release();
      return optimized;
    };

    let staged: string | undefined;
    let fusions: ReportFusions;
    const skipped = fusionsSkipped(options.fuse ?? true, provider, optimization);
    if (skipped) {
      fusions = { applied: {}, dropped: [], unmatched: [], unmatchedCount: 0, skipped, durationMs: 0 };
    } else {
      const fused = await fuseForCompile({
        proto: fixed.proto,
        source,
        reference: input,
        work,
        optimize,
        optimization,
        fixedShapes,
        fusions: options.fusions,
      });
      staged = fused.staged;
      fusions = fused.report;
      warnings.push(...fused.warnings);
    }
    if (!staged) {
      try {
        staged = await optimize(input, work);
      } catch (e) {
        // A model onnxruntime refuses is an unsupported model (exit 4), as README.md says.
        throw new EdgeError(
          "model/unsupported",
          `onnxruntime could not load the model to optimize it: ${(e as Error).message}`,
          { file: src },
          undefined,
          { cause: e },
        );
      }
    }
    const bytes = await fs.readFile(staged).catch((e: NodeJS.ErrnoException) => {
      throw new EdgeError("run/failed", `onnxruntime did not write the optimized model (${e.code ?? e.message})`, {
        file: out,
      });
    });
    const written = decodeModel(bytes, out);
    const stagedData = join(dirname(staged), dataName);
    const dataWritten =
      hasExternal &&
      (await fs.stat(stagedData).then(
        () => true,
        () => false,
      ));
    if (dataWritten) await commitTempFile(stagedData, join(dirname(target), dataName));
    await commitTempFile(staged, target);
    const result: CompileResult = {
      path: target,
      sizeBytes: bytes.length,
      ...(dataWritten ? { dataPath: join(dirname(target), dataName) } : {}),
      optimization,
      provider,
      fixed: fixed.replaced,
      symbolicDims: symbolicDims(written),
      nodesBefore: source.proto.graph?.node.length ?? 0,
      nodesAfter: written.graph?.node.length ?? 0,
      warnings,
      fusions,
    };
    if (options.cacheDir && cacheKey) await keepCompile(options.cacheDir, cacheKey, result);
    return result;
  } finally {
    await source.close();
    await removeTempPath(work);
  }
}
