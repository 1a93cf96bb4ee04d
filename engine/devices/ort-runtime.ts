// onnxruntime-node's native files for a device's OS and CPU when this installation lacks them: a .vsix carries only
// its own platform's (a Linux x64 editor deploying to an arm64 phone needs linux/arm64's). They come from the npm
// package of the same version as this engine's onnxruntime-node, fetched once with `npm pack` (the npm registry is the
// one network source the engine uses) into `<cache>/runtimes/onnxruntime-node-<version>-<os>-<arch>/`, which appears
// by rename, complete or not at all.
import { existsSync, promises as fs, readFileSync } from "node:fs";
import { join } from "node:path";
import { EdgeError } from "../errors";
import { ensureDir } from "../fs/write-errors";
import { makeTempDir, removeTempPath } from "../fs/temp-paths";
import { defaultCacheDir, npmPack } from "./node-runtime";
import { extractTgz } from "./node-runtime-tar";

/** The OS/arch pairs onnxruntime-node 1.30 ships native files for (others are not fetched: it has none). */
export const ORT_PLATFORMS: ReadonlySet<string> = new Set([
  "linux/x64",
  "linux/arm64",
  "darwin/arm64",
  "win32/x64",
  "win32/arm64",
]);

export interface OrtBinariesOptions {
  os: string;
  arch: string;
  /** onnxruntime-node's folder in this installation (its package.json gives the version). */
  ortDir: string;
  cacheDir?: string;
  npm?: string;
  signal?: AbortSignal;
}

/** The folder (`…/bin`) holding onnxruntime-node's native files for `os`/`arch` (the package's bin/napi-v6/<os>/<arch>). */
export async function ensureOrtBinaries(options: OrtBinariesOptions): Promise<string> {
  const { os, arch } = options;
  const version = (JSON.parse(readFileSync(join(options.ortDir, "package.json"), "utf8")) as { version: string })
    .version;
  const runtimes = join(options.cacheDir ?? defaultCacheDir(), "runtimes");
  const dir = join(runtimes, `onnxruntime-node-${version}-${os}-${arch}`);
  if (existsSync(join(dir, "complete"))) return join(dir, "bin");

  await ensureDir(runtimes);
  const tmp = await makeTempDir(join(runtimes, `onnxruntime-node-${version}-${os}-${arch}`));
  try {
    const spec = `onnxruntime-node@${version}`;
    const tarball = await npmPack(
      options.npm ?? "npm",
      spec,
      tmp,
      options.signal,
      `onnxruntime's native files for ${os}/${arch}`,
      "install the extension built for that platform, or run `edge` from a checkout whose node_modules has them",
    );
    const out = join(tmp, "runtime");
    const bin = join(out, "bin");
    await fs.mkdir(bin, { recursive: true });
    const prefix = `package/bin/napi-v6/${os}/${arch}/`;
    const written = await extractTgz(
      tarball,
      (name) =>
        name.startsWith(prefix) && !name.slice(prefix.length).includes("/")
          ? join(bin, name.slice(prefix.length))
          : undefined,
      spec,
    );
    if (written.length === 0)
      throw new EdgeError("device/unsupported", `${spec} has no native files for ${os}/${arch}`, {
        hint: "onnxruntime-node ships linux x64/arm64, darwin arm64 and win32 x64/arm64",
      });
    await fs.writeFile(join(out, "complete"), `${spec}\n`);
    try {
      await fs.rename(out, dir);
    } catch (e) {
      // Another process put it there first: theirs is as good as ours.
      if (!existsSync(join(dir, "complete"))) throw e;
    }
    return join(dir, "bin");
  } finally {
    await removeTempPath(tmp);
  }
}
