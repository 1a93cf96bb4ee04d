// Checks the files a recipe names: the model exists and is ONNX (its signature is read for the model checks),
// datasets and tokenizers exist and have the right kind (file or folder), SSH identity files exist, and so do the
// `onnxruntime_perf_test` binaries the engine is to push (`perf_test_path`).
// All I/O goes through the host, so the language server can answer from its own cache.
import { basename, dirname, isAbsolute, resolve, sep } from "node:path";
import { isEdgeError } from "../errors";
import type { DecoderLimits } from "../onnx/decoder-limits";
import type { ModelSignature } from "../onnx/signature";
import type { ProblemSink } from "./problem-sink";
import type { Model } from "./recipe-types.generated";
import type { RecipePaths } from "./resolve-paths";
import type { PartialRecipe, RecipeParts } from "./well-formed";

export type PathKind = "file" | "directory";

/** The I/O the checks of meaning need. */
export interface RecipeFileHost {
  readModelSignature(path: string): Promise<ModelSignature>;
  /**
   * A language model's vocabulary and context length from its weights' shapes (`run.generate`'s checks); optional:
   * without it, or when it gives undefined, prompts are not checked against the model's limits.
   */
  readDecoderLimits?(path: string): Promise<DecoderLimits | undefined>;
  /** The vocabulary size of a tokenizer.json, undefined when it cannot be read (its own check says why). Optional. */
  tokenizerVocabSize?(path: string): Promise<number | undefined>;
  /** Whether something is at `path`, and what; undefined when nothing is. */
  pathKind(path: string): Promise<PathKind | undefined>;
}

/** Reads the model's signature, or reports why it cannot be read on `model.path`'s value. */
export async function checkModelFile(
  model: Model,
  paths: RecipePaths,
  host: RecipeFileHost,
  sink: ProblemSink,
): Promise<ModelSignature | undefined> {
  const written = model.path;
  if (model.export) await checkExportPaths(model, paths, host, sink);
  const kind = await host.pathKind(paths.model);
  if (kind === undefined && model.export) {
    sink.information(
      "model/not-found",
      ["model", "path"],
      `\`${written}\` does not exist yet: model.export makes it on the next run (or \`edge export\`); the model checks wait for it`,
    );
    return undefined;
  }
  if (kind === undefined) {
    sink.error("model/not-found", ["model", "path"], `model file \`${written}\` does not exist`, {
      hint: `paths are relative to the recipe file; looked for ${paths.model}`,
    });
    return undefined;
  }
  if (kind === "directory") {
    sink.error("model/invalid", ["model", "path"], `\`${written}\` is a folder, not an ONNX model file`, {
      hint: `looked at ${paths.model}`,
    });
    return undefined;
  }
  try {
    return await host.readModelSignature(paths.model);
  } catch (e) {
    const code = isEdgeError(e) && e.code === "model/not-found" ? "model/not-found" : "model/invalid";
    const reason = isEdgeError(e) ? e.message : String((e as Error)?.message ?? e);
    sink.error(
      code,
      ["model", "path"],
      `\`${written}\` cannot be read as an ONNX model: ${reason.replace(`${paths.model}`, "it").replace(/^cannot read model it: /, "")}`,
      {
        hint: isEdgeError(e) ? e.hint : undefined,
      },
    );
    return undefined;
  }
}

/**
 * `model.export`'s paths: the model's folder is the export's own (never the recipe's folder or one holding it, which
 * the export would replace), and optimum's local model folder exists.
 */
async function checkExportPaths(model: Model, paths: RecipePaths, host: RecipeFileHost, sink: ProblemSink) {
  const outDir = dirname(paths.model);
  const base = paths.baseDir.endsWith(sep) ? paths.baseDir : paths.baseDir + sep;
  if (outDir === dirname(outDir) || base.startsWith(outDir.endsWith(sep) ? outDir : outDir + sep))
    sink.error(
      "model/export",
      ["model", "path"],
      `with model.export, \`${model.path}\` needs a folder of its own: the export replaces the folder it writes, and this one holds the recipe`,
      { hint: `e.g. model.path: exported/${basename(paths.model)}` },
    );
  const local = model.export?.optimum?.model;
  if (
    local &&
    (local.startsWith(".") || isAbsolute(local)) &&
    (await host.pathKind(resolve(paths.baseDir, local))) !== "directory"
  )
    sink.error("model/export", ["model", "export", "optimum", "model"], `\`${local}\` is not a folder`, {
      hint: "a local model for optimum is a folder (with config.json and the weights); anything not starting with . or / is a Hugging Face model id",
    });
}

/** Which kinds of path each dataset format accepts. */
const formatKinds: Record<string, readonly PathKind[]> = {
  npy: ["file", "directory"],
  npz: ["file"],
  json: ["file"],
  text: ["file"],
};

export async function checkDatasetFiles(
  parts: RecipeParts,
  paths: RecipePaths,
  host: RecipeFileHost,
  sink: ProblemSink,
): Promise<void> {
  await Promise.all(
    Object.entries(parts.recipe.data ?? {}).map(async ([name, dataset]) => {
      const resolved = paths.datasets[name];
      const kind = await host.pathKind(resolved.path);
      if (kind === undefined) {
        sink.error(
          "data/not-found",
          ["data", name, "path"],
          `dataset \`${name}\`: \`${dataset.path}\` does not exist`,
          { hint: `paths are relative to the recipe file; looked for ${resolved.path}` },
        );
      } else if (!formatKinds[dataset.format].includes(kind)) {
        sink.error(
          "data/wrong-kind",
          ["data", name, "path"],
          `dataset \`${name}\`: \`${dataset.path}\` is a folder, but \`format: ${dataset.format}\` reads one file`,
        );
      }
      if (dataset.format === "text" && !dataset.tokenizer && !parts.broken(["data", name, "tokenizer"])) {
        sink.error(
          "data/tokenizer",
          ["data", name],
          `dataset \`${name}\` is \`format: text\` and needs a \`tokenizer\` (a Hugging Face tokenizer.json)`,
          { on: "key" },
        );
      }
      if (dataset.format !== "text") {
        for (const option of ["tokenizer", "sequence_length"] as const) {
          if (dataset[option] !== undefined)
            sink.warning(
              "option/not-applicable",
              ["data", name, option],
              `\`${option}\` is used only by \`format: text\`, not \`${dataset.format}\``,
              { on: "key" },
            );
        }
      }
      if (dataset.inputs && (dataset.format === "npy" || dataset.format === "text")) {
        sink.warning(
          "option/not-applicable",
          ["data", name, "inputs"],
          `\`inputs\` is used only by \`format: npz\` and \`json\`, not \`${dataset.format}\``,
          { on: "key" },
        );
      }
      if (dataset.tokenizer && resolved.tokenizer && dataset.format === "text") {
        const tokenizerKind = await host.pathKind(resolved.tokenizer);
        if (tokenizerKind !== "file") {
          sink.error(
            "data/tokenizer",
            ["data", name, "tokenizer"],
            `tokenizer \`${dataset.tokenizer}\` ${tokenizerKind === "directory" ? "is a folder; name its tokenizer.json" : "does not exist"}`,
            {
              hint: `looked for ${resolved.tokenizer}`,
            },
          );
        }
      }
    }),
  );
}

export async function checkIdentityFiles(
  recipe: PartialRecipe,
  paths: RecipePaths,
  host: RecipeFileHost,
  sink: ProblemSink,
): Promise<void> {
  await Promise.all(
    Object.entries(paths.identityFiles).map(async ([device, path]) => {
      if ((await host.pathKind(path)) === "file") return;
      sink.warning(
        "data/not-found",
        ["devices", device, "ssh", "identity_file"],
        `identity file \`${recipe.devices?.[device]?.ssh?.identity_file}\` does not exist on this machine`,
        {
          hint: `looked for ${path}`,
        },
      );
    }),
  );
}

/** Each `perf_test_path` names a file on this machine: the engine pushes it to the device. */
export async function checkPerfTestFiles(
  recipe: PartialRecipe,
  paths: RecipePaths,
  host: RecipeFileHost,
  sink: ProblemSink,
): Promise<void> {
  await Promise.all(
    Object.entries(paths.perfTestBinaries).map(async ([device, path]) => {
      const kind = await host.pathKind(path);
      if (kind === "file") return;
      sink.error(
        kind === "directory" ? "data/wrong-kind" : "data/not-found",
        ["devices", device, "perf_test_path"],
        `\`${recipe.devices?.[device]?.perf_test_path}\` ${kind === "directory" ? "is a folder: name the onnxruntime_perf_test binary in it" : "does not exist on this machine"}`,
        {
          hint: `looked for ${path}; \`perf_test_path\` is the binary on this machine (relative to the recipe file), \`runner_path\` one already on the device`,
        },
      );
    }),
  );
}
