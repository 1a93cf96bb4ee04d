// The recipe "Deploy to…" writes next to an ONNX model: the model, the chosen device under `devices:` (adb serial, or
// ssh host/user/port and the options a recipe gave it), and `run: { device, warmup: 5, iterations: 50, profile: true }`;
// and a file name for it that is not taken (`<model>.edge.yaml`, `<model>-2.edge.yaml`, …). Pure.
import type { DeviceListing } from "../../common/devices";
import { parseSshAddress } from "./device-address";
import { modelOf } from "./device-listing";
import type { RecipeTransport } from "./recipe-transports";

export const DEPLOY_RUN = { warmup: 5, iterations: 50, profile: true } as const;
const NAME_MAX = 64;

/** A recipe/device name (letters, digits, `.`, `_`, `-`, starting with a letter or digit) made from any text. */
export function safeName(text: string, fallback: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/-+$/, "")
    .slice(0, NAME_MAX);
  return cleaned === "" ? fallback : cleaned;
}

/** The model's file name without `.onnx`. */
export function modelBase(modelFileName: string): string {
  return modelFileName.replace(/\.onnx$/i, "");
}

/** The first of `<base>.edge.yaml`, `<base>-2.edge.yaml`, … for which `exists` says no. */
export async function freeRecipeFileName(
  modelFileName: string,
  exists: (name: string) => Promise<boolean> | boolean,
): Promise<string> {
  const base = modelBase(modelFileName);
  for (let n = 1; ; n++) {
    const name = `${base}${n === 1 ? "" : `-${n}`}.edge.yaml`;
    if (!(await exists(name))) return name;
  }
}

/** The device's entry under `devices:` and its name. */
export function deviceEntry(
  device: DeviceListing,
  known?: RecipeTransport,
): { name: string; entry: Record<string, unknown> } {
  switch (device.kind) {
    case "local":
      return { name: safeName(device.name, "local"), entry: { local: {} } };
    case "adb":
      return {
        name: safeName((modelOf(device) ?? "phone").toLowerCase(), "phone"),
        entry: { adb: { serial: device.address } },
      };
    case "ssh": {
      const ssh: Record<string, unknown> = {};
      if (known?.kind === "ssh") {
        ssh.host = known.host;
        if (known.user) ssh.user = known.user;
        if (known.port) ssh.port = known.port;
        if (known.identityFile) ssh.identity_file = known.identityFile;
        if (known.proxyJump) ssh.proxy_jump = known.proxyJump;
      } else if (device.source === "ssh-config") {
        ssh.host = device.name; // the alias: ~/.ssh/config supplies the rest
      } else {
        const destination = parseSshAddress(device.address) ?? { host: device.name };
        ssh.host = destination.host;
        if (destination.user) ssh.user = destination.user;
        if (destination.port && destination.port !== 22) ssh.port = destination.port;
      }
      return { name: safeName(device.name, "board"), entry: { ssh } };
    }
  }
}

export interface DeployRecipe {
  text: string;
  recipeName: string;
  deviceName: string;
}

/** The recipe's text for running `modelFileName` (next to it) on `device`. */
export async function deployRecipeText(
  modelFileName: string,
  device: DeviceListing,
  known?: RecipeTransport,
): Promise<DeployRecipe> {
  const { stringify } = await import("yaml");
  const recipeName = safeName(modelBase(modelFileName), "model");
  const { name: deviceName, entry } = deviceEntry(device, known);
  const recipe = {
    name: recipeName,
    model: { path: `./${modelFileName}` },
    devices: { [deviceName]: entry },
    run: { device: deviceName, ...DEPLOY_RUN },
  };
  const about = `${modelFileName} on ${device.name} (${device.kind} ${device.address})`.replace(
    /[\u0000-\u001f\u007f]/g,
    "?",
  );
  const header = `# Written by Edge Studio's "Deploy to…": ${about}.\n`;
  return { text: header + stringify(recipe, { lineWidth: 0 }), recipeName, deviceName };
}
