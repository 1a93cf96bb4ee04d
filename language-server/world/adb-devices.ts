// Devices attached to adb, from `adb devices -l`: run with an argument array and a short timeout; no adb, a
// stopped server or a timeout all mean "no devices" (the editor then offers none), never an error.
import { execFile } from "node:child_process";
import type { AdbDevice } from "./world-host";

/**
 * Parses `adb devices -l`:
 * ```
 * List of devices attached
 * 1A2B3C4D               device usb:1-1 product:husky model:Pixel_8_Pro device:husky transport_id:1
 * emulator-5554          offline transport_id:2
 * ```
 * Lines before the header (`* daemon started successfully`) and blank lines are skipped.
 */
export function parseAdbDevices(output: string): AdbDevice[] {
  const devices: AdbDevice[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("*") || /^List of devices/i.test(line) || line.startsWith("adb ")) continue;
    const [serial, state, ...rest] = line.split(/\s+/);
    if (!serial || !state) continue;
    const device: AdbDevice = { serial, state };
    for (const field of rest) {
      const colon = field.indexOf(":");
      if (colon <= 0) continue;
      const key = field.slice(0, colon);
      const value = field.slice(colon + 1);
      if (key === "model") device.model = value;
      else if (key === "product") device.product = value;
    }
    devices.push(device);
  }
  return devices;
}

/** Runs `<adbPath> devices -l`; [] when adb is missing, fails or takes longer than `timeoutMs`. */
export function listAdbDevices(adbPath: string, timeoutMs: number): Promise<AdbDevice[]> {
  return new Promise((resolve) => {
    try {
      execFile(
        adbPath,
        ["devices", "-l"],
        { timeout: timeoutMs, windowsHide: true, maxBuffer: 1024 * 1024 },
        (error, stdout) => {
          resolve(error ? [] : parseAdbDevices(String(stdout)));
        },
      );
    } catch {
      resolve([]);
    }
  });
}
