// Builds dist/ when the language server or CLI bundles are missing or older than their sources, so the tests and
// bench:lsp that spawn the real bundles never run stale code (`npm test` builds first anyway).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

export const SERVER_BUNDLE = "dist/language-server/server.js";
export const CLI_BUNDLE = "dist/engine/cli.js";
const SOURCE_FOLDERS = ["language-server", "engine", "schemas"];

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) newest = Math.max(newest, newestMtimeMs(path));
    else if (/\.(ts|json)$/.test(name)) newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

function isFresh(root: string): boolean {
  const bundles = [SERVER_BUNDLE, CLI_BUNDLE].map((b) => join(root, b));
  const sources = Math.max(
    ...SOURCE_FOLDERS.map((f) => (existsSync(join(root, f)) ? newestMtimeMs(join(root, f)) : 0)),
  );
  return bundles.every((b) => existsSync(b) && statSync(b).mtimeMs >= sources);
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Runs `node scripts/build.mjs` in `root` if a bundle is missing or stale; throws with its output when it fails.
 * Test files run two at a time: a lock folder keeps them from building over each other. EDGE_SKIP_BUILD=1 skips it.
 */
export function ensureBuilt(root = process.cwd()): void {
  if (process.env.EDGE_SKIP_BUILD === "1" || isFresh(root)) return;
  const lock = join(root, "dist", ".build-lock");
  mkdirSync(join(root, "dist"), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (
        Date.now() > deadline ||
        Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000
      )
        rmSync(lock, { recursive: true, force: true });
      sleep(200);
    }
  }
  try {
    if (isFresh(root)) return;
    const result = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: root, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
