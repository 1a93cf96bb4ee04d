// The recipe's model for completion and hover: its path from the recipe text, its summary now (from the cache,
// starting a read otherwise) or later (waiting for the worker), and shapes as hovers write them. The lookups over a
// summary are in world/model-index.
import type { TensorSignature } from "../../../engine/onnx";
import { resolveRecipePath } from "../../../engine/recipe";
import { type ModelIndex, modelIndex } from "../../world/model-index";
import type { ModelSummaryResult, WorldHost } from "../../world/world-host";
import { stringAt } from "./outline";

/** The absolute path of the recipe's `model.path`, if it names one and the recipe has a folder. */
export function recipeModelPath(text: string, baseDir: string | undefined, world: WorldHost): string | undefined {
  const path = stringAt(text, ["model", "path"]);
  if (!path || !baseDir) return undefined;
  return resolveRecipePath(path, baseDir, world.homeDir);
}

/**
 * The recipe's model as far as it is known right now: the cached summary, or undefined after starting a read in the
 * background (`pending` then says a later request will know more). Never waits for a model.
 */
export function modelNow(
  text: string,
  baseDir: string | undefined,
  world: WorldHost,
): { index?: ModelIndex; pending: boolean; path?: string } {
  const path = recipeModelPath(text, baseDir, world);
  if (!path) return { pending: false };
  const cached = world.cachedModelSummary(path);
  if (cached) return { index: cached.ok ? modelIndex(cached.summary) : undefined, pending: false, path };
  void world.modelSummary(path).catch(() => undefined);
  return { pending: true, path };
}

/** The recipe's model, reading it if needed (hover may wait for the worker). */
export async function modelLater(
  text: string,
  baseDir: string | undefined,
  world: WorldHost,
): Promise<{ result?: ModelSummaryResult; path?: string }> {
  const path = recipeModelPath(text, baseDir, world);
  if (!path) return {};
  const result = world.cachedModelSummary(path) ?? (await world.modelSummary(path));
  return { result, path };
}

/** `[1, 3, "height", ?]` as a shape reads in a hover. */
export function shapeText(signature: TensorSignature | undefined): string {
  if (!signature) return "?";
  if (signature.dims === null) return `${signature.dtype} (rank unknown)`;
  return `${signature.dtype} [${signature.dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}
