// Finding and running the adb program. The path is an explicit option (the extension passes the `edge.adb.path`
// setting), else `$ANDROID_HOME/platform-tools/adb`, then `$ANDROID_SDK_ROOT/platform-tools/adb`, else `adb` on PATH.
// adb is always spawned with an argument array, never through a local shell.
import { execFile } from "node:child_process";
import { delimiter, join } from "node:path";
import { EdgeError } from "../errors";
import { isExecutableFile } from "../fs/find-program";

export interface AdbProgramOptions {
  /** An explicit adb path (the `edge.adb.path` setting); used as given, an error when it is missing. */
  adbPath?: string;
  /** The environment adb sees (ANDROID_ADB_SERVER_PORT, HOME, …); also where the SDK variables are read. */
  env?: NodeJS.ProcessEnv;
}

const exeName = process.platform === "win32" ? "adb.exe" : "adb";

/** The adb to run; `transport/not-found` with a hint when there is none. */
export function findAdb(options: AdbProgramOptions = {}): string {
  const env = options.env ?? process.env;
  // A bare program name (the setting's default "adb") is looked up as usual; a path is used as given.
  const bare = options.adbPath !== undefined && !/[\\/]/.test(options.adbPath);
  if (options.adbPath && bare && options.adbPath !== exeName && options.adbPath !== "adb") {
    for (const dir of (env.PATH ?? "").split(delimiter)) {
      if (dir && isExecutableFile(join(dir, options.adbPath))) return join(dir, options.adbPath);
    }
  }
  if (options.adbPath && !bare) {
    if (isExecutableFile(options.adbPath)) return options.adbPath;
    throw new EdgeError("transport/not-found", `adb not found at ${options.adbPath}`, {
      hint: "fix the `edge.adb.path` setting, or clear it to use $ANDROID_HOME/platform-tools/adb or adb on PATH",
    });
  }
  for (const sdk of [env.ANDROID_HOME, env.ANDROID_SDK_ROOT]) {
    if (!sdk) continue;
    const candidate = join(sdk, "platform-tools", exeName);
    if (isExecutableFile(candidate)) return candidate;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, exeName);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new EdgeError("transport/not-found", "adb not found (not in $ANDROID_HOME/platform-tools nor on PATH)", {
    hint: "install Android's platform-tools (or Debian's `adb` package), or set `edge.adb.path`",
  });
}

export interface AdbOutput {
  /** adb's exit code (null when it was killed or timed out). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs adb to the end and collects its output (for short commands: devices, get-state, a small shell). */
export function runAdb(
  adbPath: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<AdbOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      adbPath,
      [...args],
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 16 << 20,
        windowsHide: true,
        signal: options.signal,
      },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: string | number }) | null;
        if (err && err.code === "ENOENT") {
          reject(new EdgeError("transport/not-found", `adb not found at ${adbPath}`, { cause: err }));
          return;
        }
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
