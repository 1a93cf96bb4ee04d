// Checks that names used in one place of a recipe are defined in another: `run.device` in `devices`,
// `quantize.calibration.data`, `evaluate.data` and `run.data` in `data`; and notes datasets nobody uses.
// Names count as defined when they are written, even if their entry breaks the schema (that is reported once).
import type { ProblemSink } from "./problem-sink";
import { didYouMean } from "./suggest";
import type { PartialRecipe, RecipeParts } from "./well-formed";

/** The name `run.device` may use for this machine without declaring it under `devices`. */
export const implicitLocalDevice = "local";

/** The device a run uses when nothing overrides it, or undefined when the recipe leaves the choice open. */
export function defaultDeviceName(recipe: PartialRecipe): string | undefined {
  if (recipe.run?.device) return recipe.run.device;
  const names = Object.keys(recipe.devices ?? {});
  if (names.length === 1) return names[0];
  if (names.length === 0) return implicitLocalDevice;
  return undefined;
}

/** The names defined under `section` as written; undefined when the section is there but is not a map. */
function definedNames(parts: RecipeParts, section: "devices" | "data"): string[] | undefined {
  return parts.writtenKeys([section]) ?? (parts.broken([section]) ? undefined : []);
}

export function checkReferences(parts: RecipeParts, sink: ProblemSink): void {
  const { recipe, broken } = parts;
  const devices = definedNames(parts, "devices");
  if (devices) checkDeviceReference(recipe, devices, !broken(["run", "device"]), sink);
  const datasets = definedNames(parts, "data");
  if (datasets) checkDatasetReferences(recipe, datasets, broken, sink);
}

function checkDeviceReference(recipe: PartialRecipe, devices: string[], deviceKnown: boolean, sink: ProblemSink): void {
  const device = recipe.run?.device;
  if (device !== undefined && !devices.includes(device) && device !== implicitLocalDevice) {
    sink.error(
      "ref/unknown-device",
      ["run", "device"],
      `\`run.device\` is \`${device}\`, which is not under \`devices\`${didYouMean(device, devices)}`,
      {
        hint: devices.length
          ? `devices in this recipe: ${devices.join(", ")}`
          : "add it under `devices`, or write `device: local` for this machine",
      },
    );
  }
  if (device === undefined && deviceKnown && devices.length > 1) {
    sink.information(
      "device/choice",
      ["devices"],
      `${devices.length} devices and no \`run.device\`: \`edge run\` will need \`--device\``,
      {
        on: "key",
        hint: `set \`run.device\` to one of ${devices.join(", ")}`,
      },
    );
  }
}

function checkDatasetReferences(
  recipe: PartialRecipe,
  datasets: string[],
  broken: RecipeParts["broken"],
  sink: ProblemSink,
): void {
  const references = [
    ["quantize", "calibration", "data"],
    ["evaluate", "data"],
    ["run", "data"],
    ["run", "generate", "data"],
  ];
  const used = new Set<string>();
  const checkDataset = (name: string | undefined, path: string[]) => {
    if (name === undefined) return;
    used.add(name);
    if (datasets.includes(name)) return;
    sink.error(
      "ref/unknown-dataset",
      path,
      `\`${path.join(".")}\` is \`${name}\`, which is not under \`data\`${didYouMean(name, datasets)}`,
      {
        hint: datasets.length
          ? `datasets in this recipe: ${datasets.join(", ")}`
          : "define it under `data`, e.g. `data: { " + name + ": { path: data/" + name + ", format: npy } }`",
      },
    );
  };
  checkDataset(recipe.quantize?.calibration?.data, ["quantize", "calibration", "data"]);
  checkDataset(recipe.evaluate?.data, ["evaluate", "data"]);
  checkDataset(recipe.run?.data, ["run", "data"]);
  checkDataset(recipe.run?.generate?.data, ["run", "generate", "data"]);
  // A reference in a part that broke the schema may use any dataset: then say nothing about unused ones.
  if (references.some((path) => broken(path))) return;
  for (const name of datasets) {
    if (!used.has(name))
      sink.information(
        "ref/unused-dataset",
        ["data", name],
        `dataset \`${name}\` is not used by \`quantize.calibration\`, \`evaluate\` or \`run\``,
        { on: "key" },
      );
  }
}
