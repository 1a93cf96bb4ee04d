// Live devices next to a recipe: the CodeLens's "▶ Deploy to <model> (<serial>)" per attached phone, and the device
// picker's entries (the recipe's devices, attached ones marked, then attached phones the recipe does not define).
// Pure: the listing and the recipe's transports in, titles and `--device` arguments out.
import type { DeviceListing } from "../../common/devices";
import { deviceArgument, recipeDeviceFor } from "./device-address";
import { attachedAdbDevices, modelOf } from "./device-listing";
import type { RecipeTransports } from "./recipe-transports";

export interface DeployTarget {
  title: string;
  /** `--device`: the recipe's device with this serial, else `adb:SERIAL`. */
  device: string;
  serial: string;
  tooltip: string;
}

/** One target per adb device attached now (state "device"), in the listing's order. */
export function deployTargets(devices: readonly DeviceListing[], transports: RecipeTransports): DeployTarget[] {
  return attachedAdbDevices(devices).map((phone) => {
    const device = deviceArgument(phone, transports);
    const model = modelOf(phone) ?? "Android device";
    return {
      title: `▶ Deploy to ${model} (${phone.address})`,
      device,
      serial: phone.address,
      tooltip: `Run this recipe on the attached ${model} (${phone.address}) as --device ${device}`,
    };
  });
}

export interface DevicePick {
  /** The `--device` value remembered and run with. */
  device: string;
  label: string;
  description?: string;
  /** The recipe defines this device (else it is an attached phone the recipe does not name). */
  fromRecipe: boolean;
}

/**
 * The device picker's entries: each device the recipe can run on (`runnable`), "attached" when it is a live adb
 * device, then each attached phone the recipe does not define (as `adb:SERIAL`).
 */
export function devicePicks(
  runnable: readonly string[],
  current: string,
  transports: RecipeTransports,
  devices: readonly DeviceListing[],
): DevicePick[] {
  const attached = attachedAdbDevices(devices);
  const bySerial = new Map(attached.map((d) => [d.address, d]));
  const picks: DevicePick[] = runnable.map((name) => {
    const transport = transports.get(name);
    const phone = transport?.kind === "adb" && transport.serial ? bySerial.get(transport.serial) : undefined;
    const notes = [
      name === current ? "selected" : undefined,
      phone ? `attached${modelOf(phone) ? `: ${modelOf(phone)}` : ""}` : undefined,
    ].filter(Boolean);
    return { device: name, label: name, description: notes.join(" · ") || undefined, fromRecipe: true };
  });
  for (const phone of attached) {
    if (recipeDeviceFor(phone, transports)) continue;
    const device = `adb:${phone.address}`;
    const notes = [device === current ? "selected" : undefined, `attached: ${modelOf(phone) ?? "Android device"}`];
    picks.push({ device, label: device, description: notes.filter(Boolean).join(" · "), fromRecipe: false });
  }
  return picks;
}

/** True when `device` is an ad-hoc device (`adb:…`, `ssh:…`) that is live now: a remembered choice still valid. */
export function isLiveAdHoc(device: string, devices: readonly DeviceListing[]): boolean {
  if (device.startsWith("adb:")) return attachedAdbDevices(devices).some((d) => d.address === device.slice(4));
  return false;
}
