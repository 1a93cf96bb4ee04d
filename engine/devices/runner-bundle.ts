// Runner bundles: the folder the host pushes to a device so it can run models there. Content-addressed: its hash is
// the sha256 of its manifest (every file's path, mode, size and sha256, and the target), so a device that has
// `<workdir>/runners/<hash>/ready` needs nothing pushed. Bundles are assembled once in the host's cache
// (`<cache>/runners/<hash>/`, made in a temporary folder and renamed into place) and reused by every run.
//
// Layout (paths inside the bundle):
//   runner.cjs                                   the device runner (dist/device-runner.cjs)
//   generate-worker.cjs                          its generation thread (dist/device-runner-generate-worker.cjs)
//   node_modules/onnxruntime-node/               package.json, dist/, bin/napi-v6/<os>/<arch>/ only
//   node_modules/onnxruntime-common/             package.json, dist/
//   node/bin/node, node/LICENSE                  when the device has no node >= 20, or is Android (node-runtime.ts)
//   glibc/ld-linux-<arch>.so.N, glibc/lib/…      Android only: glibc's loader and the libraries node and
//                                                onnxruntime need (glibc.ts)
//   bundle.json                                  the manifest (not part of what it lists)
// `launch(remoteDir)` says how to start it there; the caller appends the plan file's path to `argv`.
import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import { dirname, join, posix } from "node:path";
import { EdgeError } from "../errors";
import { makeTempDir, removeTempPath } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import { type GlibcOptions, glibcTarget, resolveGlibc } from "./glibc";
import { defaultCacheDir, ensureNodeRuntime } from "./node-runtime";
import { sha256File } from "./file-hash";
import { ORT_PLATFORMS, ensureOrtBinaries } from "./ort-runtime";
import {
  type BundleSource,
  generateThreadScriptPath,
  ortBinaryDir,
  ortPackageDirs,
  ortSources,
  runnerScriptPath,
} from "./runner-bundle-sources";

export const BUNDLE_MANIFEST = "bundle.json";
const MIN_NODE_MAJOR = 20;

export interface RunnerBundleOptions {
  /** The device's OS as the probe says it ("linux", "darwin"); Android is "linux" with `android`. */
  os: string;
  /** Node's arch names ("arm64", "x64"). */
  arch: string;
  android?: boolean;
  /** A node on the device (the probe's `node`): used when it is >= 20 and the device is not Android. */
  nodeOnDevice?: { path: string; version: string };
  /** The cache root (default `~/.cache/edge-studio`): bundles in runners/, node binaries in runtimes/. */
  cacheDir?: string;
  /** Android: a folder with glibc for the device's arch (the setting; EDGE_GLIBC_<ARCH> otherwise). */
  glibcDir?: string;
  /** Environment for EDGE_GLIBC_<ARCH> (default process.env). */
  env?: GlibcOptions["env"];
  /** The built runner (default: dist/device-runner.cjs of this engine). */
  runnerScript?: string;
  /** The npm command that fetches node (default "npm"). */
  npm?: string;
  signal?: AbortSignal;
}

export interface BundleFile {
  /** '/'-separated path inside the bundle. */
  rel: string;
  sizeBytes: number;
  /** Unix permission bits to give it on the device (0o755 for what is executed, else 0o644). */
  mode: number;
}

export interface RunnerLaunch {
  /** The program and its arguments; append the plan file's path. */
  argv: string[];
  env?: Record<string, string>;
}

export interface RunnerBundle {
  hash: string;
  /** The bundle's folder in the host cache. */
  dir: string;
  /** Every file to push (bundle.json included), sorted by path. */
  files: BundleFile[];
  sizeBytes: number;
  /** Whose node runs the runner. */
  node: "device" | "bundled";
  launch(remoteBundleDir: string): RunnerLaunch;
}

interface ManifestEntry extends BundleFile {
  sha256: string;
}

interface Manifest {
  schema: 1;
  target: { os: string; arch: string; android: boolean; node: "device" | "bundled" };
  files: ManifestEntry[];
}

const nodeMajor = (version: string) => Number(/^v?(\d+)/.exec(version.trim())?.[1] ?? 0);

/** Whether a bundle for these options carries its own node. */
export function bundleNeedsNode(options: Pick<RunnerBundleOptions, "android" | "nodeOnDevice">): boolean {
  return options.android === true || !options.nodeOnDevice || nodeMajor(options.nodeOnDevice.version) < MIN_NODE_MAJOR;
}

/** The host files of a bundle for these options (fetching node when the device needs it). */
async function bundleSources(options: RunnerBundleOptions): Promise<BundleSource[]> {
  const { os, arch } = options;
  if (os !== "linux" && os !== "darwin")
    throw new EdgeError("device/unsupported", `runner bundles are for Linux, Android and macOS devices, not ${os}`);
  const runner = options.runnerScript ?? runnerScriptPath();
  try {
    await fs.access(runner);
  } catch {
    throw new EdgeError("device/runner", `the device runner ${runner} is missing`, {
      hint: "build it with `npm run build` (it makes dist/device-runner.cjs)",
      where: { file: runner },
    });
  }
  const dirs = ortPackageDirs();
  // This installation's binaries for the device, else onnxruntime-node's from npm (a .vsix has only its own).
  const binDir =
    existsSync(ortBinaryDir(dirs.node, os, arch)) || !ORT_PLATFORMS.has(`${os}/${arch}`)
      ? undefined
      : await ensureOrtBinaries({
          os,
          arch,
          ortDir: dirs.node,
          cacheDir: options.cacheDir,
          npm: options.npm,
          signal: options.signal,
        });
  // The runner's generation thread (engine/run/generate-thread.ts looks for it beside runner.cjs); a runner built
  // without it generates on its own thread.
  const thread = generateThreadScriptPath(runner);
  const sources: BundleSource[] = [
    { rel: "runner.cjs", source: runner, mode: 0o644 },
    ...(existsSync(thread) ? [{ rel: "generate-worker.cjs", source: thread, mode: 0o644 }] : []),
    ...ortSources(os, arch, dirs, binDir),
  ];
  if (!bundleNeedsNode(options)) return sources;

  if (os !== "linux")
    throw new EdgeError("device/runner", `the ${os}/${arch} device has no node >= ${MIN_NODE_MAJOR}`, {
      hint: `install node >= ${MIN_NODE_MAJOR} on it (only Linux and Android devices get a node in the bundle)`,
    });
  const runtime = await ensureNodeRuntime({
    arch,
    cacheDir: options.cacheDir,
    npm: options.npm,
    signal: options.signal,
  });
  sources.push(
    { rel: "node/bin/node", source: runtime.nodePath, mode: 0o755 },
    { rel: "node/LICENSE", source: runtime.licensePath, mode: 0o644 },
  );
  if (!options.android) return sources;

  // Android: glibc for node and onnxruntime's native files; libonnxruntime is found beside the binding ($ORIGIN).
  const bin = ortBinaryDir(dirs.node, os, arch);
  const natives = [runtime.nodePath, join(bin, "onnxruntime_binding.node"), join(bin, "libonnxruntime.so.1")];
  const glibc = resolveGlibc(arch, natives, new Set(["libonnxruntime.so.1"]), {
    dir: options.glibcDir,
    env: options.env,
  });
  sources.push({ rel: `glibc/${glibc.loader.name}`, source: glibc.loader.source, mode: 0o755 });
  for (const lib of glibc.libs) sources.push({ rel: `glibc/lib/${lib.name}`, source: lib.source, mode: 0o644 });
  return sources;
}

const exists = (path: string) =>
  fs.stat(path).then(
    () => true,
    () => false,
  );

/** Copies the sources into a temporary folder, checks each copy's hash, and renames it to `dir`. */
async function assemble(
  root: string,
  dir: string,
  entries: { entry: ManifestEntry; source: string }[],
  manifest: string,
) {
  await ensureDir(root);
  const tmp = await makeTempDir(dir);
  try {
    for (const { entry, source } of entries) {
      const target = join(tmp, ...entry.rel.split("/"));
      await fs.mkdir(dirname(target), { recursive: true });
      await fs.copyFile(source, target);
      await fs.chmod(target, entry.mode);
      if ((await sha256File(target)) !== entry.sha256)
        throw new EdgeError("device/runner", `${source} changed while the runner bundle was made; try again`);
    }
    await fs.writeFile(join(tmp, BUNDLE_MANIFEST), manifest);
    try {
      await fs.rename(tmp, dir);
    } catch (e) {
      // Another process made the same bundle first: the same content by its name.
      if (!(await exists(join(dir, BUNDLE_MANIFEST)))) throw e;
    }
  } finally {
    await removeTempPath(tmp);
  }
}

/** The bundle for a device, from the cache or assembled into it. */
export async function prepareRunnerBundle(options: RunnerBundleOptions): Promise<RunnerBundle> {
  const sources = (await bundleSources(options)).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const node = bundleNeedsNode(options) ? "bundled" : "device";
  const entries: { entry: ManifestEntry; source: string }[] = [];
  for (const s of sources) {
    options.signal?.throwIfAborted();
    const sizeBytes = (await fs.stat(s.source)).size;
    entries.push({
      entry: { rel: s.rel, mode: s.mode, sizeBytes, sha256: await sha256File(s.source) },
      source: s.source,
    });
  }
  const manifest: Manifest = {
    schema: 1,
    target: { os: options.os, arch: options.arch, android: options.android === true, node },
    files: entries.map((e) => e.entry),
  };
  const manifestText = `${JSON.stringify(manifest, null, 1)}\n`;
  const hash = createHash("sha256").update(manifestText).digest("hex");
  const root = join(options.cacheDir ?? defaultCacheDir(), "runners");
  const dir = join(root, hash);
  if (!(await exists(join(dir, BUNDLE_MANIFEST)))) await assemble(root, dir, entries, manifestText);

  const files: BundleFile[] = [
    ...manifest.files.map(({ rel, sizeBytes, mode }) => ({ rel, sizeBytes, mode })),
    { rel: BUNDLE_MANIFEST, sizeBytes: Buffer.byteLength(manifestText), mode: 0o644 },
  ].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const loader = options.android ? glibcTarget(options.arch).loader : undefined;
  const devicePath = options.nodeOnDevice?.path;
  return {
    hash,
    dir,
    files,
    sizeBytes: files.reduce((sum, f) => sum + f.sizeBytes, 0),
    node,
    launch(remoteBundleDir) {
      const at = (rel: string) => posix.join(remoteBundleDir, rel);
      const runner = at("runner.cjs");
      if (node === "device") return { argv: [devicePath!, runner] };
      if (!loader) return { argv: [at("node/bin/node"), runner] };
      return { argv: [at(`glibc/${loader}`), "--library-path", at("glibc/lib"), at("node/bin/node"), runner] };
    },
  };
}
