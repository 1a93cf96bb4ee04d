// The packaged linux-x64 .vsix for tests: reused when it is newer than everything it is made from, else rebuilt with
// `scripts/package.ts --target linux-x64` (which builds first only when the bundles are missing).
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { vsixPath, type Target } from "../../scripts/package";

const root = resolve(import.meta.dirname, "..", "..");
const inputs = [
  "package.json",
  ".vscodeignore",
  "LICENSE",
  "scripts/package.ts",
  "bin/edge.js",
  "dist/extension/main.cjs",
  "dist/engine/cli.js",
  "dist/language-server/server.js",
  "dist/language-server/model-summary-worker.js",
];

export function ensureVsix(target: Target = "linux-x64"): string {
  const out = vsixPath(target);
  const built = inputs.every((f) => existsSync(join(root, f)));
  if (built && existsSync(out)) {
    const newest = Math.max(...inputs.map((f) => statSync(join(root, f)).mtimeMs));
    if (statSync(out).mtimeMs > newest) return out;
  }
  const args = [
    "--import",
    "tsx",
    join(root, "scripts", "package.ts"),
    "--target",
    target,
    ...(built ? ["--no-build"] : []),
  ];
  execFileSync(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  return out;
}
