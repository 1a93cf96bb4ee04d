// The engine's RecipeCheckHost on top of the world: files through `world.pathKind`, the model's signature from
// `world.modelSummary` (read off the request path and cached), so the editor's checks are `edge validate`'s.
import { EdgeError, type ErrorCode } from "../../../engine/errors";
import type { ModelSignature } from "../../../engine/onnx";
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
  };
}
