// `npm run package`: builds, then writes one .vsix per platform target into dist/vsix/, each holding only that
// platform's onnxruntime-node binaries. Prints each .vsix's size and the host bundle's (goal ≤ 1 MB).
// Usage: package.ts [--target linux-x64]... [--no-build]
//
// The bundles in dist/ are self-contained except `onnxruntime-node` (a native addon the engine CLI imports at run
// time), so the only node_modules shipped are onnxruntime-node's JS, its one platform folder of binaries, and
// onnxruntime-common. vsce collects files through `npm list --production`; a per-target ignore file (the repo's
// whitelist `.vscodeignore` plus that target's runtime files) picks what goes in. The repository's LICENSE goes in as
// the package's license (vsce stores it as extension/LICENSE.txt); packaging fails when vsce finds none.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** vsce target → onnxruntime-node's bin/napi-v*\/<platform>/<arch> folder, and binaries not needed there. */
export const targets = {
  "linux-x64": { folder: "linux/x64", skip: [] },
  "linux-arm64": { folder: "linux/arm64", skip: [] },
  // The binding links @rpath/libonnxruntime.1.dylib; the versioned copy is a 44 MB duplicate.
  "darwin-arm64": { folder: "darwin/arm64", skip: ["libonnxruntime.1.30.0.dylib"] },
  "win32-x64": { folder: "win32/x64", skip: [] },
} satisfies Record<string, { folder: string; skip: readonly string[] }>;
export type Target = keyof typeof targets;

const root = resolve(import.meta.dirname, "..");
export const vsixDir = join(root, "dist", "vsix");
export const hostBundle = join(root, "dist", "extension", "main.cjs");
/** 1 MB (the product's decimal units: 10^6 bytes). */
export const HOST_BUNDLE_GOAL_BYTES = 1_000_000;

function packageJson(): { name: string; version: string } {
  return JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };
}

export function vsixPath(target: Target): string {
  const { name, version } = packageJson();
  return join(vsixDir, `${name}-${target}-${version}.vsix`);
}

/** The whitelist lines (vsce ignore syntax: `!glob` includes) for a target's runtime node_modules. */
export function runtimeWhitelist(target: Target): string[] {
  const ort = "node_modules/onnxruntime-node";
  const napi = readdirSync(join(root, ort, "bin")).find((d) => d.startsWith("napi-v"));
  if (!napi) throw new Error(`${ort}/bin has no napi-v* folder`);
  const { folder, skip }: { folder: string; skip: readonly string[] } = targets[target];
  const binaries = readdirSync(join(root, ort, "bin", napi, folder)).filter((f) => !skip.includes(f));
  return [
    `!${ort}/package.json`,
    `!${ort}/LICENSE`,
    `!${ort}/dist/*.js`,
    ...binaries.map((f) => `!${ort}/bin/${napi}/${folder}/${f}`),
    "!node_modules/onnxruntime-common/package.json",
    "!node_modules/onnxruntime-common/LICENSE",
    "!node_modules/onnxruntime-common/dist/cjs/**/*.js",
    "!node_modules/onnxruntime-common/dist/cjs/package.json", // {"type": "commonjs"}: without it node reads the .js as ESM
  ];
}

function packageTarget(target: Target): string {
  const workDir = join(vsixDir, ".work");
  mkdirSync(workDir, { recursive: true });
  // Per-process scratch names and an atomic rename: two test files may package the same target at the same time.
  const ignoreFile = join(workDir, `${target}-${process.pid}.vscodeignore`);
  const base = readFileSync(join(root, ".vscodeignore"), "utf8");
  writeFileSync(
    ignoreFile,
    `${base.trimEnd()}\n# ${target} runtime (scripts/package.ts)\n${runtimeWhitelist(target).join("\n")}\n`,
  );
  const out = vsixPath(target);
  const partial = join(workDir, `${target}-${process.pid}.vsix`);
  const vsce = join(root, "node_modules", "@vscode", "vsce", "vsce");
  try {
    const result = spawnSync(
      process.execPath,
      [
        vsce,
        "package",
        "--target",
        target,
        "--ignoreFile",
        ignoreFile,
        "--out",
        partial,
        "--no-rewrite-relative-links",
        "--allow-missing-repository",
        "--no-yarn",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
    );
    process.stderr.write(result.stderr ?? "");
    if (result.status !== 0)
      throw new Error(`vsce package --target ${target} failed (exit ${result.status ?? result.signal})`);
    // Without a terminal vsce answers its "LICENSE not found; continue?" question itself with yes: refuse instead.
    if (/LICENSE.* not found/.test(`${result.stdout}${result.stderr}`))
      throw new Error(
        "vsce found no LICENSE to package: keep LICENSE in the repository root and `!LICENSE` in .vscodeignore",
      );
    renameSync(partial, out);
  } finally {
    rmSync(ignoreFile, { force: true });
    rmSync(partial, { force: true });
  }
  return out;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

function main(argv: string[]): void {
  const chosen: Target[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--target") {
      const t = argv[++i];
      if (!(t in targets)) throw new Error(`unknown target ${t}; one of ${Object.keys(targets).join(", ")}`);
      chosen.push(t as Target);
    }
  }
  if (!argv.includes("--no-build"))
    execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
  for (const target of chosen.length ? chosen : (Object.keys(targets) as Target[])) {
    const out = packageTarget(target);
    console.log(`vsix ${target}: ${megabytes(statSync(out).size)} (${out.slice(root.length + 1)})`);
  }
  const host = statSync(hostBundle).size;
  const verdict = host <= HOST_BUNDLE_GOAL_BYTES ? "within" : "OVER";
  console.log(
    `host bundle dist/extension/main.cjs: ${(host / 1000).toFixed(1)} kB (goal ≤ 1000 kB without native binaries: ${verdict})`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main(process.argv.slice(2));
