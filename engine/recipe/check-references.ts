// Checks that names used in one place of a recipe are defined in another: `run.device` in `devices`,
// `quantize.calibration.data`, `evaluate.data` and `run.data` in `data`; and notes datasets nobody uses.
import type { ProblemSink } from "./problem-sink";
import type { EdgeRecipe } from "./recipe-types.generated";
import { didYouMean } from "./suggest";

/** The name `run.device` may use for this machine without declaring it under `devices`. */
export const implicitLocalDevice = "local";

/** The device a run uses when nothing overrides it, or undefined when the recipe leaves the choice open. */
export function defaultDeviceName(recipe: EdgeRecipe): string | undefined {
  if (recipe.run?.device) return recipe.run.device;
  const names = Object.keys(recipe.devices ?? {});
  if (names.length === 1) return names[0];
  if (names.length === 0) return implicitLocalDevice;
  return undefined;
}

export function checkReferences(recipe: EdgeRecipe, sink: ProblemSink): void {
  const devices = Object.keys(recipe.devices ?? {});
  const device = recipe.run?.device;
  if (device !== undefined && !devices.includes(device) && device !== implicitLocalDevice) {
    sink.error("ref/unknown-device", ["run", "device"], `\`run.device\` is \`${device}\`, which is not under \`devices\`${didYouMean(device, devices)}`, {
      hint: devices.length ? `devices in this recipe: ${devices.join(", ")}` : "add it under `devices`, or write `device: local` for this machine",
    });
  }
  if (device === undefined && devices.length > 1) {
    sink.information("device/choice", ["devices"], `${devices.length} devices and no \`run.device\`: \`edge run\` will need \`--device\``, {
      on: "key",
      hint: `set \`run.device\` to one of ${devices.join(", ")}`,
    });
  }

  const datasets = Object.keys(recipe.data ?? {});
  const used = new Set<string>();
  const checkDataset = (name: string | undefined, path: string[]) => {
    if (name === undefined) return;
    used.add(name);
    if (datasets.includes(name)) return;
    sink.error("ref/unknown-dataset", path, `\`${path.join(".")}\` is \`${name}\`, which is not under \`data\`${didYouMean(name, datasets)}`, {
      hint: datasets.length ? `datasets in this recipe: ${datasets.join(", ")}` : "define it under `data`, e.g. `data: { " + name + ": { path: data/" + name + ", format: npy } }`",
    });
  };
  checkDataset(recipe.quantize?.calibration?.data, ["quantize", "calibration", "data"]);
  checkDataset(recipe.evaluate?.data, ["evaluate", "data"]);
  checkDataset(recipe.run?.data, ["run", "data"]);
  for (const name of datasets) {
    if (!used.has(name)) sink.information("ref/unused-dataset", ["data", name], `dataset \`${name}\` is not used by \`quantize.calibration\` or \`evaluate\``, { on: "key" });
  }
}
