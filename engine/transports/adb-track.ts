// Live device lists from `adb track-devices`: the adb server sends the whole list again whenever it changes, each
// as a frame of four hex digits (the length) and the `adb devices` lines. `trackAdbDevices` calls `onChange` with
// every list until the signal aborts.
import { spawn } from "node:child_process";
import { EdgeError } from "../errors";
import { parseAdbDevices, type AdbDeviceEntry } from "./adb-devices";

/** Cuts adb's length-prefixed frames (`000Fserial\tdevice\n`) out of a byte stream arriving in any split. */
export class TrackFrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer | string): string[] {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, bytes]) : bytes;
    const frames: string[] = [];
    while (this.buffered.length >= 4) {
      const head = this.buffered.toString("latin1", 0, 4);
      if (!/^[0-9a-fA-F]{4}$/.test(head)) throw new Error(`not an adb frame length: ${JSON.stringify(head)}`);
      const length = Number.parseInt(head, 16);
      if (this.buffered.length < 4 + length) break;
      frames.push(this.buffered.toString("utf8", 4, 4 + length));
      this.buffered = this.buffered.subarray(4 + length);
    }
    return frames;
  }
}

/**
 * Runs `adb track-devices` until `signal` aborts (then resolves). Rejects when adb cannot start or stops by itself
 * (`transport/not-found`, `transport/failed`).
 */
export function trackAdbDevices(
  adbPath: string,
  onChange: (devices: AdbDeviceEntry[]) => void,
  signal: AbortSignal,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve();
    const child = spawn(adbPath, ["track-devices"], {
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const reader = new TrackFrameReader();
    let stderr = "";
    let failure: EdgeError | undefined;
    const onAbort = () => child.kill("SIGTERM");
    signal.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) onChange(parseAdbDevices(frame));
      } catch (e) {
        failure = new EdgeError("transport/failed", `adb track-devices sent something unexpected: ${String(e)}`);
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-2000);
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      failure =
        e.code === "ENOENT"
          ? new EdgeError("transport/not-found", `adb not found at ${adbPath}`, { cause: e })
          : new EdgeError("transport/failed", `adb track-devices: ${e.message}`, { cause: e });
    });
    child.on("close", (code) => {
      signal.removeEventListener("abort", onAbort);
      if (failure) return reject(failure);
      if (signal.aborted) return resolve();
      reject(
        new EdgeError("transport/failed", `adb track-devices stopped (exit ${code}): ${stderr.trim().slice(0, 500)}`, {
          hint: "is the adb server running? (`adb start-server`)",
        }),
      );
    });
  });
}
