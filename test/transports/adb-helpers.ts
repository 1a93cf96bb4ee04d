// Shared by the adb transport tests: the skip reason when Debian's adb is missing, a transport to a fixture, a
// collected exec, and whether a local pid (the fixture runs commands on this machine) is gone.
import { readFileSync } from "node:fs";
import { AdbTransport } from "../../engine/transports/adb";
import type { ExecOptions, ExecResult } from "../../engine/transports/transport";
import { haveSystemAdb, type AdbFixture } from "../fixtures/adb-device/index";

export const skipWithoutAdb: string | false = haveSystemAdb ? false : "needs /usr/bin/adb (Debian's adb package)";

export function transportTo(fixture: AdbFixture, name = "fixture-phone"): AdbTransport {
  return new AdbTransport(fixture.adbPath, fixture.serial, name, fixture.adbEnv);
}

export async function run(
  transport: AdbTransport,
  argv: string[],
  options: ExecOptions = {},
): Promise<ExecResult & { stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const result = await transport.exec(argv, {
    ...options,
    onStdout: (c) => out.push(c),
    onStderr: (c) => err.push(c),
  });
  return { ...result, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/** True when the process is gone (or only a zombie waiting to be reaped). */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^\d+ \(.*\)/, ""));
  } catch {
    return true;
  }
}

/** Waits for a condition, polling (the test's own timeout fails it when the condition never comes). */
export async function until(condition: () => boolean | Promise<boolean>, intervalMs = 50): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, intervalMs));
}
