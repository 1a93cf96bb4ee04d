// Step 2 of reading a recipe: the checks of meaning, on the parts of the recipe that matched the schema (all of
// it, or what is left when a part is wrong: an editor must show an unknown `run.device` while a key elsewhere is
// misspelt). References between sections, option combinations, methods against providers, budgets, files, the
// model's signature, and the memory of the inputs `edge run` will make. I/O is injected (`RecipeCheckHost`) so the language server runs the same checks.
import { promises as fs } from "node:fs";
import { homedir } from "node:os";
import { type ModelSignature, modelSignature, readModelSignature } from "../onnx/signature";
import { readModel } from "../onnx/read-model";
import { decoderGraphView, decoderLimits } from "../onnx/decoder-limits";
import { loadTokenizer } from "../data/text";
import { checkBudgets } from "./check-budgets";
import { checkGenerateModel, checkGenerateOptions } from "./check-generate";
import {
  checkDatasetFiles,
  checkIdentityFiles,
  checkModelFile,
  checkPerfTestFiles,
  type PathKind,
  type RecipeFileHost,
} from "./check-files";
import { inspectModel } from "../inspect/inspect-model";
import { checkInputMemory, checkPeakEstimate } from "./check-input-memory";
import { checkInputSpecs } from "./check-inputs";
import { checkAgainstModel } from "./check-model";
import { checkOptions } from "./check-options";
import { checkProviderMethods } from "./check-provider-methods";
import { checkReferences } from "./check-references";
import type { ParsedRecipe } from "./parse-recipe";
import { type Problem, sortProblems } from "./problem";
import { ProblemSink } from "./problem-sink";
import { type RecipePaths, resolveRecipePaths } from "./resolve-paths";

export interface RecipeCheckHost extends RecipeFileHost {
  /** Folder the recipe's relative paths start from: the recipe file's folder. */
  baseDir: string;
  /** What `~/` means in paths; leave undefined to keep `~` literal. */
  homeDir?: string;
  /** Skip the checks of files and of the model (an unsaved editor buffer, whose relative paths mean nothing yet). */
  skipFiles?: boolean;
  /**
   * The engine's peak-memory estimate (weights + activations) of the model for these input shapes, compared with a
   * `peak_memory_mb` budget; undefined when it cannot be made. Optional: it reads the whole model again.
   */
  estimatePeakMemory?(modelPath: string, inputShapes: Record<string, number[]>): Promise<PeakEstimate | undefined>;
}

export interface PeakEstimate {
  peakBytes: number;
  /** False when a size could not be counted exactly or the model has problems: then it is not compared. */
  exact: boolean;
}

export interface RecipeCheck {
  /** Every problem: the parse's (YAML, schema) and the meaning checks', sorted by position. */
  problems: Problem[];
  /** The recipe's paths made absolute (when `model.path` is well-formed; the rest may not be). */
  paths?: RecipePaths;
  /** The model's signature (when the model could be read). */
  signature?: ModelSignature;
}

/** The host that reads the real file system. */
export function nodeCheckHost(baseDir: string): RecipeCheckHost {
  return {
    baseDir,
    homeDir: homedir(),
    readModelSignature,
    readDecoderLimits: async (modelPath) => {
      try {
        const model = await readModel(modelPath, { checkExternalData: false });
        try {
          return decoderLimits(decoderGraphView(model.proto, modelSignature(model.proto)));
        } finally {
          await model.close();
        }
      } catch {
        return undefined; // the model's own problems are reported by the other checks
      }
    },
    tokenizerVocabSize: async (path) => (await loadTokenizer(path).catch(() => undefined))?.vocabSize,
    estimatePeakMemory: async (modelPath, inputShapes) => {
      try {
        const report = await inspectModel(modelPath, { inputShapes });
        return {
          peakBytes: report.memory.estimatedPeakBytes,
          exact: report.memory.exact && report.problems.length === 0,
        };
      } catch {
        return undefined; // the model's own problems are reported by the other checks
      }
    },
    pathKind: async (path: string): Promise<PathKind | undefined> => {
      try {
        const stat = await fs.stat(path);
        return stat.isDirectory() ? "directory" : "file";
      } catch {
        return undefined;
      }
    },
  };
}

export async function checkRecipe(parsed: ParsedRecipe, host: RecipeCheckHost): Promise<RecipeCheck> {
  // No parts: the YAML could not be read, or the recipe is not a map; its problems say so.
  const parts = parsed.parts;
  if (!parts) return { problems: sortProblems(parsed.problems) };
  const { recipe } = parts;
  const model = recipe.model;
  const sink = new ProblemSink(parsed.source, parsed.file);
  const paths = model ? resolveRecipePaths({ ...recipe, model }, host.baseDir, host.homeDir) : undefined;

  checkReferences(parts, sink);
  checkOptions(parts, sink);
  checkProviderMethods(parts, sink);
  checkBudgets(parts, sink);
  checkGenerateOptions(parts, sink);
  let signature: ModelSignature | undefined;
  if (paths && model && !host.skipFiles) {
    [signature] = await Promise.all([
      checkModelFile(model, paths, host, sink),
      checkDatasetFiles(parts, paths, host, sink),
      checkIdentityFiles(recipe, paths, host, sink),
      checkPerfTestFiles(recipe, paths, host, sink),
    ]);
  }
  checkInputSpecs(parts, sink, Object.fromEntries((signature?.inputs ?? []).map((i) => [i.name, i.dtype])));
  if (signature) checkAgainstModel(parts, signature, sink);
  if (signature && paths && recipe.run?.generate) {
    const dataName = recipe.run.generate.data;
    const tokenizer = dataName === undefined ? undefined : paths.datasets[dataName]?.tokenizer;
    const [limits, tokenizerVocabSize] = await Promise.all([
      host.readDecoderLimits?.(paths.model),
      tokenizer && host.tokenizerVocabSize ? host.tokenizerVocabSize(tokenizer) : undefined,
    ]);
    checkGenerateModel(parts, { signature, limits, tokenizerVocabSize }, sink);
  }
  const inputMemory = checkInputMemory(parts, signature, sink);
  if (signature && paths && host.estimatePeakMemory && inputMemory.budgetBytes !== undefined && !inputMemory.reported)
    checkPeakEstimate(await host.estimatePeakMemory(paths.model, inputMemory.shapes), inputMemory.budgetBytes, sink);

  return { problems: sortProblems([...parsed.problems, ...sink.problems]), paths, signature };
}
