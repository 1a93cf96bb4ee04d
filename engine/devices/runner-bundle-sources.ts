// What goes into a runner bundle, as host files: the built runner (dist/device-runner.cjs) and its generation thread,
// onnxruntime-node's JavaScript and the native files for one OS and arch, onnxruntime-common, and (when the device
// has no usable node) a node binary and, for Android, glibc. The files are this project's own: found from this module's place (the
// source tree under tsx, or dist/ in the built CLI), never fetched, except node (node-runtime.ts) and, when this
// installation lacks them (a .vsix ships only its own platform's), onnxruntime's binaries for the device
// (ort-runtime.ts).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EdgeError } from "../errors";

/** One file of a bundle: where it goes (a '/'-separated path inside the bundle) and where it comes from. */
export interface BundleSource {
  rel: string;
  source: string;
  mode: number;
}

/** OS/arch pairs onnxruntime-node 1.30 ships CPU binaries for (bin/napi-v6/<os>/<arch>). */
export function ortBinaryDir(ortDir: string, os: string, arch: string): string {
  return join(ortDir, "bin", "napi-v6", os, arch);
}

/** dist/device-runner.cjs beside the CLI bundle (dist/engine/cli.js), or in dist/ when the engine runs from source. */
export function runnerScriptPath(moduleUrl: string = import.meta.url): string {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith(".ts")) return resolve(dirname(here), "..", "..", "dist", "device-runner.cjs");
  return resolve(dirname(here), "..", "device-runner.cjs");
}

/** The device runner's generation thread, built beside it: dist/device-runner-generate-worker.cjs. */
export function generateThreadScriptPath(runnerScript: string): string {
  return join(dirname(runnerScript), "device-runner-generate-worker.cjs");
}

/** The folder of an installed package, found the way node would from `from`. */
function packageDir(name: string, from: string): string {
  const require = createRequire(from);
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch (e) {
    throw new EdgeError("device/runner", `cannot find the package ${name} to put in the runner bundle`, {
      hint: "the engine's node_modules must hold onnxruntime-node (npm install)",
      cause: e,
    });
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === name) return dir;
  }
  throw new EdgeError("device/runner", `cannot find the folder of the package ${name} (from ${entry})`);
}

/** onnxruntime-node's and onnxruntime-common's folders, as this engine resolves them. */
export function ortPackageDirs(moduleUrl: string = import.meta.url): { node: string; common: string } {
  const node = packageDir("onnxruntime-node", moduleUrl);
  const common = packageDir("onnxruntime-common", pathToFileURL(join(node, "package.json")).href);
  return { node, common };
}

/** Every regular file under `dir` (recursively), as paths relative to it with '/' separators. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile()))
        out.push(relative(dir, path).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** JavaScript a package needs at run time: not source maps or type declarations. */
const runtimeFile = (rel: string) => !rel.endsWith(".map") && !rel.endsWith(".d.ts");

/**
 * The onnxruntime part of a bundle: node_modules/onnxruntime-node/{package.json, dist/, bin/napi-v6/<os>/<arch>/}
 * and node_modules/onnxruntime-common/{package.json, dist/}. Throws `device/unsupported` when onnxruntime-node has
 * no binary for the device.
 */
export function ortSources(
  os: string,
  arch: string,
  dirs = ortPackageDirs(),
  /** The binaries' folder when this installation lacks them (a .vsix holds only its own platform's). */
  binDir?: string,
): BundleSource[] {
  const bin = binDir ?? ortBinaryDir(dirs.node, os, arch);
  if (!existsSync(bin)) {
    const shipped = readdirSync(join(dirs.node, "bin", "napi-v6")).flatMap((o) =>
      readdirSync(join(dirs.node, "bin", "napi-v6", o)).map((a) => `${o}/${a}`),
    );
    throw new EdgeError("device/unsupported", `onnxruntime-node has no binary for ${os}/${arch}`, {
      hint: `it ships ${shipped.join(", ")}`,
    });
  }
  const sources: BundleSource[] = [];
  const add = (pkgDir: string, pkgName: string, rels: string[], mode = 0o644) => {
    for (const rel of rels)
      sources.push({ rel: `node_modules/${pkgName}/${rel}`, source: join(pkgDir, ...rel.split("/")), mode });
  };
  for (const [name, dir] of [
    ["onnxruntime-node", dirs.node],
    ["onnxruntime-common", dirs.common],
  ] as const) {
    add(dir, name, ["package.json"]);
    add(
      dir,
      name,
      filesUnder(join(dir, "dist"))
        .filter(runtimeFile)
        .map((r) => `dist/${r}`),
    );
  }
  const binRel = `bin/napi-v6/${os}/${arch}`;
  for (const r of filesUnder(bin))
    sources.push({
      rel: `node_modules/onnxruntime-node/${binRel}/${r}`,
      source: join(bin, ...r.split("/")),
      mode: 0o644,
    });
  return sources;
}
