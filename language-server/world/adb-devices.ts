// Devices attached to adb, from `adb devices -l` (parsed by the engine's adb transport, the one parser of that
// output): run with an argument array and a short timeout; no adb, a stopped server or a timeout all mean "no
// devices" (the editor then offers none), never an error.
import { execFile } from "node:child_process";
import { parseAdbDevices as parseAdbOutput } from "../../engine/transports";
import type { AdbDevice } from "./world-host";

/** The devices of `adb devices -l`'s output, with what completion shows of each. */
export function parseAdbDevices(output: string): AdbDevice[] {
  return parseAdbOutput(output).map(({ serial, state, model, product }) => ({
    serial,
    state,
    ...(model !== undefined ? { model } : {}),
    ...(product !== undefined ? { product } : {}),
  }));
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
