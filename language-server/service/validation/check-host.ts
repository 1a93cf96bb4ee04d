// The engine's RecipeCheckHost on top of the world: files through `world.pathKind`, the model's signature from
// `world.modelSummary` (read off the request path and cached), so the editor's checks are `edge validate`'s; a
// language model's vocabulary and context length (`run.generate`'s checks) from the same summary.
import { EdgeError, type ErrorCode } from "../../../engine/errors";
import { decoderLimits, type ModelSignature } from "../../../engine/onnx";
import type { RecipeCheckHost } from "../../../engine/recipe";
import type { WorldHost } from "../../world/world-host";
import type { RecipeDocument } from "../recipe/document";

export function worldCheckHost(world: WorldHost, document: Pick<RecipeDocument, "baseDir">): RecipeCheckHost {
  return {
    // An unsaved buffer has no folder: its relative paths mean nothing yet, so files are not checked.
    baseDir: document.baseDir ?? "/",
    skipFiles: document.baseDir === undefined,
    homeDir: world.homeDir,
    pathKind: (path) => world.pathKind(path),
    readModelSignature: async (path): Promise<ModelSignature> => {
      const result = await world.modelSummary(path);
      if (!result.ok)
        throw new EdgeError(result.error.code as ErrorCode, result.error.message, { file: path }, result.error.hint);
      const { irVersion, opsetImports, inputs, outputs } = result.summary;
      return { irVersion, opsetImports, inputs, outputs };
    },
    // `run.generate`'s limits from the summary: initializer dims are among its value shapes, its nodes carry inputs.
    readDecoderLimits: async (path) => {
      const result = await world.modelSummary(path);
      if (!result.ok) return undefined;
      const { irVersion, opsetImports, inputs, outputs, valueShapes, nodes } = result.summary;
      const initializerDims: Record<string, number[]> = {};
      for (const [name, shape] of Object.entries(valueShapes)) {
        if (shape.dims?.every((d): d is number => typeof d === "number")) initializerDims[name] = shape.dims;
      }
      return decoderLimits({ signature: { irVersion, opsetImports, inputs, outputs }, initializerDims, nodes });
    },
  };
}
