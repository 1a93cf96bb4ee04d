// The devices attached to adb: `adb devices -l` parsed into entries (serial, state, model, …), and the one that a
// transport uses: a serial that must be attached and in the `device` state, or the only device when none is named.
import type { DeviceListing } from "../../common/devices";
import { EdgeError } from "../errors";
import { runAdb } from "./adb-program";

export interface AdbDeviceEntry {
  serial: string;
  /** "device", "offline", "unauthorized", "no permissions", "recovery", "sideload", … */
  state: string;
  model?: string;
  product?: string;
  device?: string;
  transportId?: string;
}

/**
 * Parses `adb devices -l` (and the frames of `adb track-devices -l`): one device a line, `SERIAL<spaces>STATE key:value…`;
 * the header, daemon messages (`* daemon started successfully`) and blank lines are skipped. A state of two words
 * (`no permissions (…)`) keeps its first words up to the first `key:value` field.
 */
export function parseAdbDevices(output: string): AdbDeviceEntry[] {
  const devices: AdbDeviceEntry[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("*") || /^List of devices/i.test(line) || line.startsWith("adb ")) continue;
    const [serial, ...rest] = line.split(/\s+/);
    if (!serial || rest.length === 0) continue;
    const stateWords: string[] = [];
    const entry: AdbDeviceEntry = { serial, state: "" };
    for (const field of rest) {
      const m = /^(usb|product|model|device|transport_id):(.*)$/.exec(field);
      if (!m) {
        if (entry.model === undefined && entry.product === undefined) stateWords.push(field);
        continue;
      }
      if (m[1] === "model") entry.model = m[2];
      else if (m[1] === "product") entry.product = m[2];
      else if (m[1] === "device") entry.device = m[2];
      else if (m[1] === "transport_id") entry.transportId = m[2];
    }
    entry.state = stateWords.join(" ");
    devices.push(entry);
  }
  return devices;
}

/** `adb devices -l` now. */
export async function listAdbDevices(
  adbPath: string,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<AdbDeviceEntry[]> {
  const out = await runAdb(adbPath, ["devices", "-l"], { env: options.env, timeoutMs: options.timeoutMs ?? 10_000 });
  if (out.code !== 0) {
    throw new EdgeError("transport/failed", `adb devices failed: ${(out.stderr || out.stdout).trim().slice(0, 500)}`, {
      hint: "is the adb server able to start? (`adb start-server`)",
    });
  }
  return parseAdbDevices(out.stdout);
}

/** An adb entry as `edge devices` lists it. */
export function adbListing(entry: AdbDeviceEntry): DeviceListing {
  const listing: DeviceListing = {
    name: entry.serial,
    kind: "adb",
    address: entry.serial,
    state: entry.state,
    source: "adb",
  };
  if (entry.model) listing.model = entry.model;
  return listing;
}

const list = (devices: readonly AdbDeviceEntry[]) =>
  devices.length ? devices.map((d) => `${d.serial} (${d.state})`).join(", ") : "none";

/**
 * The device a transport talks to: `serial` when given (it must be attached and ready), else the only attached
 * device. Errors: `transport/unreachable` (not attached, offline, none, several), `transport/auth` (unauthorized).
 */
export function chooseAdbDevice(devices: readonly AdbDeviceEntry[], serial?: string): AdbDeviceEntry {
  if (!serial) {
    if (devices.length === 1) return checkReady(devices[0]);
    const ready = devices.filter((d) => d.state === "device");
    if (devices.length === 0) {
      throw new EdgeError("transport/unreachable", "no Android device is attached to adb", {
        hint: "connect the phone over USB with USB debugging on (or `adb connect HOST:PORT`), then check `adb devices`",
      });
    }
    throw new EdgeError("transport/unreachable", `several Android devices are attached (${list(devices)}); name one`, {
      hint: `set the device's serial in the recipe (device: { adb: { serial: … } })${ready.length ? `, e.g. ${ready[0].serial}` : ""}`,
    });
  }
  const found = devices.find((d) => d.serial === serial);
  if (!found) {
    throw new EdgeError(
      "transport/unreachable",
      `the Android device ${serial} is not attached to adb (attached: ${list(devices)})`,
      {
        where: { device: serial },
        hint: "check the cable or the network address, and `adb devices`",
      },
    );
  }
  return checkReady(found);
}

function checkReady(d: AdbDeviceEntry): AdbDeviceEntry {
  if (d.state === "device") return d;
  if (d.state === "unauthorized") {
    throw new EdgeError("transport/auth", `the Android device ${d.serial} has not authorized this computer`, {
      where: { device: d.serial },
      hint: 'unlock the phone and accept the "Allow USB debugging?" prompt (tick "Always allow"), then retry',
    });
  }
  if (d.state.startsWith("no permissions")) {
    throw new EdgeError("transport/auth", `no permission to open the Android device ${d.serial}`, {
      where: { device: d.serial },
      hint: "add a udev rule for the phone (or the plugdev group) and reconnect it",
    });
  }
  throw new EdgeError("transport/unreachable", `the Android device ${d.serial} is ${d.state || "not ready"}`, {
    where: { device: d.serial },
    hint:
      d.state === "offline"
        ? "reconnect the device (or restart its adb daemon) and retry"
        : "wait until `adb devices` says `device`",
  });
}
