// What every step of a recipe's run is given: the checked recipe and its resolved paths, the run folder, the event
// sink, the signal that stops the run, the model inputs the runner feeds, and the execution provider of the device.
import type { EventSink } from "../events";
import type { EdgeRecipe, RecipePaths } from "../recipe";
import type { InputSpec } from "../run/plan";

export interface RecipeRunContext {
  recipe: EdgeRecipe;
  paths: RecipePaths;
  /** The recipe file as the caller named it (errors point at it). */
  file: string;
  /** The run folder: every file a step writes goes here. */
  outDir: string;
  sink: EventSink;
  /** Stops the run (Ctrl-C, `run.timeout_s`); steps that can stop early check it. */
  signal?: AbortSignal;
  /** The recipe's `model.inputs` as the runner takes them (also the synthetic inputs of calibration and evaluation). */
  inputs: Record<string, InputSpec>;
  /** The execution provider the run's device uses ("cpu", "nnapi", …). */
  provider: string;
}
