// Runs every test file under test/ (or the ones given) with node's test runner, TypeScript through tsx.
// node's runner prints the closing summary (# pass / # fail) that CI reads, and exits non-zero on failure.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function findTests(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === "fixtures" || name === "node_modules") continue;
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args : findTests("test", []);
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=2",
    // A test that hangs fails after 10 minutes instead of holding CI until its limit.
    "--test-timeout=600000",
    ...files,
  ],
  {
    stdio: "inherit",
    // Tests compile for real each time (a stop during a compile, its errors); the compile cache has its own tests.
    env: { ...process.env, EDGE_COMPILE_CACHE: process.env.EDGE_COMPILE_CACHE ?? "off" },
  },
);
process.exit(result.status ?? 1);
