// The dependency-direction check of ARCHITECTURE.md's layout table, run by `npm run lint`.
// Reads every import/require specifier in the TypeScript sources and fails on one a folder may not use.
// Usage: check-deps.ts [ROOT] (default: the current directory).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";

type Folder = "common" | "engine" | "language-server" | "extension" | "webviews" | "schemas" | "test" | "bench" | "scripts" | "samples";

/** Which other top-level folders each folder may import from (its own is always allowed). */
const mayImport: Record<Folder, readonly string[]> = {
  common: [],
  engine: ["common", "schemas"],
  "language-server": ["common", "engine", "schemas"],
  extension: ["common", "engine", "webviews/protocol", "schemas", "language-server/protocol"],
  webviews: ["common"],
  schemas: ["common"],
  test: ["*"],
  bench: ["*"],
  scripts: ["*"],
  samples: ["common"],
};
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** npm packages that only run under node; webviews may not import them. */
const nodeOnlyPackages = new Set(["onnxruntime-node", "vscode-languageserver", "vscode-languageclient", "ajv", "yaml"]);

const root = resolve(process.argv[2] ?? ".");
const problems: string[] = [];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const specifierPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

for (const folder of Object.keys(mayImport) as Folder[]) {
  let files: string[];
  try {
    files = walk(join(root, folder), []);
  } catch {
    continue; // folder not present
  }
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(specifierPattern)) {
      const spec = match[1];
      const line = text.slice(0, match.index).split("\n").length;
      const where = `${relative(root, file)}:${line}`;
      if (spec === "vscode" && folder !== "extension" && folder !== "test") {
        problems.push(`${where}: ${folder}/ must not import "vscode"`);
        continue;
      }
      if (folder === "webviews" && (nodeBuiltins.has(spec) || nodeOnlyPackages.has(spec))) {
        problems.push(`${where}: webviews/ run in a browser and must not import the node module "${spec}"`);
        continue;
      }
      if (folder === "common" && !spec.startsWith(".")) {
        problems.push(`${where}: common/ runs everywhere and imports nothing outside itself, not "${spec}"`);
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = relative(root, resolve(dirname(file), spec)).split(sep).join("/");
      const targetTop = target.split("/")[0];
      if (targetTop === folder || targetTop.startsWith("..")) continue;
      const allowed = mayImport[folder];
      const ok = allowed.includes("*") || allowed.some((a) => target === a || target.startsWith(`${a}/`));
      if (!ok) problems.push(`${where}: ${folder}/ may not import ${target} (allowed: ${allowed.join(", ") || "nothing outside itself"})`);
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`dependency check: ${problems.length} import(s) break the layout rules of ARCHITECTURE.md`);
  process.exit(1);
}
console.log("dependency check: ok");
