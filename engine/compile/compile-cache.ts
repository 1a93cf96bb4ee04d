// Compiled models kept by what made them. ONNX Runtime's offline optimization does not write the same bytes twice
// (the order of the nodes it adds varies from run to run), so without this every run of a recipe with `compile:`
// made a "new" model and a device run pushed it again. A compile is reused when the source's bytes (the .onnx and
// its external data), the options, the output's file name (the model names its data file by it), onnxruntime's
// version and the engine's version are all the same. Entries are folders written whole (temporary name, then
// rename), in the cache folder the caller names (the pipeline uses ~/.cache/edge-studio/compiled).
import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import { commitTempFile, tempPathFor } from "../fs/atomic";
import { ENGINE_VERSION } from "../version";
import type { ReportCompile } from "../../common/optimization";

/** A compile's result as kept (compile-model.ts's CompileResult). */
type CompileResult = Omit<ReportCompile, "support">;

const RESULT_FILE = "result.json";

export interface CompileKeyParts {
  /** The source's files: the .onnx first, then its external data files. */
  sourceFiles: string[];
  target: string;
  optimization: string;
  provider: string;
  fixedShapes: Record<string, number>;
  /** Whether the transformer fusions run (fusions/). */
  fuse?: boolean;
  ortVersion: string;
}

export async function compileKey(parts: CompileKeyParts): Promise<string> {
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify({
      engine: ENGINE_VERSION,
      ort: parts.ortVersion,
      name: basename(parts.target),
      optimization: parts.optimization,
      provider: parts.provider,
      fixed: Object.entries(parts.fixedShapes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      fuse: parts.fuse ?? false,
      files: parts.sourceFiles.length,
    }),
  );
  for (const file of parts.sourceFiles) {
    hash.update(`\0${basename(file)}\0`);
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  }
  return hash.digest("hex").slice(0, 40);
}

/** The cached compile for `key` copied to `target` (and its data file beside it); undefined when there is none. */
export async function reuseCompile(cacheDir: string, key: string, target: string): Promise<CompileResult | undefined> {
  const entry = join(cacheDir, key);
  let cached: CompileResult;
  try {
    cached = JSON.parse(await fs.readFile(join(entry, RESULT_FILE), "utf8")) as CompileResult;
  } catch {
    return undefined;
  }
  try {
    const dataName = cached.dataPath ? basename(cached.dataPath) : undefined;
    await fs.mkdir(dirname(target), { recursive: true });
    if (dataName) await copyAtomic(join(entry, dataName), join(dirname(target), dataName));
    await copyAtomic(join(entry, basename(target)), target);
    return { ...cached, path: target, ...(dataName ? { dataPath: join(dirname(target), dataName) } : {}) };
  } catch {
    // A damaged entry is compiled again (and replaced).
    return undefined;
  }
}

/** Keeps a finished compile for later runs; a failure to keep it never fails the compile. */
export async function keepCompile(cacheDir: string, key: string, result: CompileResult): Promise<void> {
  const entry = join(cacheDir, key);
  const staging = `${entry}.${process.pid}.tmp`;
  try {
    await fs.mkdir(staging, { recursive: true });
    await fs.copyFile(result.path, join(staging, basename(result.path)));
    if (result.dataPath) await fs.copyFile(result.dataPath, join(staging, basename(result.dataPath)));
    await fs.writeFile(join(staging, RESULT_FILE), JSON.stringify(result));
    await fs.rm(entry, { recursive: true, force: true });
    await fs.rename(staging, entry);
  } catch {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => {});
  }
}

async function copyAtomic(from: string, to: string): Promise<void> {
  const tmp = tempPathFor(to);
  await fs.copyFile(from, tmp);
  await commitTempFile(tmp, to);
}
