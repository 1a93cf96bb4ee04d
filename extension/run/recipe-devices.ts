// Reads what the run features need from a recipe's text, cheaply (no schema check, no model): its name, the devices
// it defines and `run.device`. Pure; the YAML parser loads on first use.
export const IMPLICIT_LOCAL_DEVICE = "local";

export interface RecipeDevices {
  name: string | undefined;
  /** Device names in the order the recipe defines them; empty when it defines none. */
  devices: string[];
  /** `run.device`, when given. */
  runDevice: string | undefined;
}

/** The devices a run can name: the recipe's own, or the implicit local device when it defines none. */
export function runnableDevices(info: RecipeDevices): string[] {
  return info.devices.length > 0 ? info.devices : [IMPLICIT_LOCAL_DEVICE];
}

/** The device a run uses when nobody chose one: `run.device`, else the first defined, else the local one. */
export function defaultDevice(info: RecipeDevices): string {
  if (info.runDevice && (info.devices.includes(info.runDevice) || info.runDevice === IMPLICIT_LOCAL_DEVICE))
    return info.runDevice;
  return runnableDevices(info)[0];
}

export async function readRecipeDevices(text: string): Promise<RecipeDevices> {
  const { parseDocument, isMap, isScalar } = await import("yaml");
  const document = parseDocument(text, { uniqueKeys: false, strict: false });
  const root = document.contents;
  const result: RecipeDevices = { name: undefined, devices: [], runDevice: undefined };
  if (!isMap(root)) return result;
  const name = root.get("name");
  if (typeof name === "string") result.name = name;
  const run = root.get("run");
  if (isMap(run)) {
    const device = run.get("device");
    if (typeof device === "string") result.runDevice = device;
  }
  for (const pair of root.items) {
    if (!isScalar(pair.key) || pair.key.value !== "devices") continue;
    if (isMap(pair.value)) {
      for (const item of pair.value.items) {
        const key = isScalar(item.key) ? item.key.value : item.key;
        if (typeof key === "string" || typeof key === "number") result.devices.push(String(key));
      }
    }
  }
  return result;
}
