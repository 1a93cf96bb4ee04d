// Finding a program the way a shell would, without one: a name with a path separator is taken as a path (relative to
// `cwd`); a bare name is looked up in PATH's folders (with PATHEXT's extensions on Windows). Only regular files that
// may be executed count.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/** The full path of `program`, or undefined when it cannot be found. */
export function findProgram(
  program: string,
  options: { cwd: string; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform },
): string | undefined {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const extensions =
    platform === "win32" ? ["", ...(env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean)] : [""];
  const candidates = (base: string) => extensions.map((ext) => base + ext);
  if (program.includes("/") || (platform === "win32" && program.includes("\\")) || isAbsolute(program))
    return candidates(resolve(options.cwd, program)).find(isExecutableFile);
  for (const folder of (env.PATH ?? "").split(delimiter)) {
    if (!folder) continue;
    const found = candidates(join(folder, program)).find(isExecutableFile);
    if (found) return found;
  }
  return undefined;
}

/** Whether `path` is a regular file this process may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
