// The glibc an Android bundle carries. Android's libc is bionic; the node binary from npm and onnxruntime-node's
// libraries are linked against glibc. So an Android bundle brings glibc's loader and every library those files need,
// and starts node through the loader: `ld-linux-aarch64.so.1 --library-path <bundle>/glibc/lib node runner.cjs`.
//
// Where the libraries come from, first found wins: the `dir` option (a setting), the environment variable
// `EDGE_GLIBC_ARM64` / `EDGE_GLIBC_X64`, then Debian's multiarch folders (`/usr/lib/aarch64-linux-gnu`,
// `/lib/x86_64-linux-gnu`, …; on Debian `dpkg --add-architecture arm64` + `apt install libc6:arm64 libstdc++6:arm64`
// fills them). A given folder may be the libraries' folder itself or the root of extracted .deb packages
// (`lib/<triplet>`, `usr/lib/<triplet>` inside it). Which libraries: the DT_NEEDED entries of the bundle's ELF files,
// followed transitively (elf.ts), each checked to be an ELF for the right machine. Symlinks are followed: the
// bundle holds regular files named by the names the dynamic section asks for.
import { existsSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { EdgeError } from "../errors";
import { ELF_ARCH, type ElfInfo, readElfFile } from "./elf";

export interface GlibcTarget {
  /** The loader's file name: ld-linux-aarch64.so.1 or ld-linux-x86-64.so.2. */
  loader: string;
  /** Debian's multiarch triplet. */
  triplet: string;
  envVar: string;
  debianArch: string;
}

export const GLIBC_TARGETS: Readonly<Record<string, GlibcTarget>> = {
  arm64: {
    loader: "ld-linux-aarch64.so.1",
    triplet: "aarch64-linux-gnu",
    envVar: "EDGE_GLIBC_ARM64",
    debianArch: "arm64",
  },
  x64: { loader: "ld-linux-x86-64.so.2", triplet: "x86_64-linux-gnu", envVar: "EDGE_GLIBC_X64", debianArch: "amd64" },
};

export interface GlibcOptions {
  /** A folder holding the libraries (or extracted .deb packages); the setting. */
  dir?: string;
  /** Defaults to process.env (for EDGE_GLIBC_<ARCH>). */
  env?: Record<string, string | undefined>;
  /** Also look in Debian's multiarch folders (default true). */
  systemDirs?: boolean;
}

export interface GlibcFile {
  /** The name the bundle gives it (the loader's name, or a DT_NEEDED name). */
  name: string;
  /** The real file on the host (symlinks resolved). */
  source: string;
}

export interface GlibcSet {
  loader: GlibcFile;
  /** Libraries for `<bundle>/glibc/lib/`, sorted by name. */
  libs: GlibcFile[];
  /** The folders searched, in order. */
  searched: string[];
}

export function glibcTarget(arch: string): GlibcTarget {
  const target = GLIBC_TARGETS[arch];
  if (!target)
    throw new EdgeError("device/unsupported", `no glibc bundle for Android on ${arch} (arm64 and x64 only)`, {});
  return target;
}

/** The folders to look in, in order (only those that exist). */
export function glibcSearchDirs(arch: string, options: GlibcOptions = {}): string[] {
  const t = glibcTarget(arch);
  const env = options.env ?? process.env;
  const roots = [options.dir, env[t.envVar]].filter((d): d is string => !!d);
  const dirs: string[] = [];
  for (const root of roots)
    dirs.push(root, join(root, "lib", t.triplet), join(root, "usr", "lib", t.triplet), join(root, "lib"));
  if (options.systemDirs !== false) dirs.push(`/usr/lib/${t.triplet}`, `/lib/${t.triplet}`, `/usr/${t.triplet}/lib`);
  return [...new Set(dirs)].filter((d) => existsSync(d) && statSync(d).isDirectory());
}

/** How to get the libraries, for the error when some are missing. */
export function glibcHint(arch: string): string {
  const t = glibcTarget(arch);
  const debs = `libc6, libstdc++6 and libgcc-s1 for ${t.debianArch}`;
  return (
    `Android runs node through glibc's loader, so the bundle needs glibc for ${arch}. On Debian or Ubuntu: ` +
    `sudo dpkg --add-architecture ${t.debianArch} && sudo apt update && sudo apt install libc6:${t.debianArch} ` +
    `libstdc++6:${t.debianArch} (they land in /usr/lib/${t.triplet}). On macOS, Windows or another Linux: download ` +
    `Debian's .deb packages of ${debs} (packages.debian.org), extract each into one folder (a .deb is an ar ` +
    `archive: \`ar x pkg.deb && tar xf data.tar.xz -C FOLDER\`, or 7-Zip), and point ${t.envVar} (or the ` +
    `glibc folder setting) at that folder.`
  );
}

/**
 * The loader and the libraries `elfFiles` need, transitively. `provided` are names the bundle has elsewhere (e.g.
 * libonnxruntime.so.1 beside the binding, found through its $ORIGIN runpath): they are not looked for, but their
 * own needs are when they are listed in `elfFiles`. Throws `device/runner` naming what is missing, with a hint.
 */
export function resolveGlibc(
  arch: string,
  elfFiles: readonly string[],
  provided: ReadonlySet<string> = new Set(),
  options: GlibcOptions = {},
): GlibcSet {
  const t = glibcTarget(arch);
  const searched = glibcSearchDirs(arch, options);
  const fits = (info: ElfInfo) => ELF_ARCH[info.machine] === arch;
  const find = (name: string): GlibcFile | undefined => {
    for (const dir of searched) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      try {
        const source = realpathSync(path);
        if (statSync(source).isFile() && fits(readElfFile(source))) return { name, source };
      } catch {
        // not readable or not ELF: look further
      }
    }
    return undefined;
  };

  const missing: string[] = [];
  const loader = find(t.loader);
  if (!loader) missing.push(t.loader);
  const libs = new Map<string, GlibcFile>();
  const queue = [...elfFiles];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const name of readElfFile(file).needed) {
      if (name === t.loader || provided.has(name) || libs.has(name) || missing.includes(name)) continue;
      const lib = find(name);
      if (!lib) {
        missing.push(name);
        continue;
      }
      libs.set(name, lib);
      queue.push(lib.source);
    }
  }
  if (missing.length > 0) {
    const where = searched.length > 0 ? `looked in ${searched.join(", ")}` : "no glibc folder was found";
    throw new EdgeError(
      "device/runner",
      `the Android runner bundle for ${arch} needs glibc's ${missing.join(", ")} for ${t.triplet}, which are missing (${where})`,
      { hint: glibcHint(arch) },
    );
  }
  return {
    loader: loader!,
    libs: [...libs.values()].sort((a, b) => a.name.localeCompare(b.name)),
    searched,
  };
}
