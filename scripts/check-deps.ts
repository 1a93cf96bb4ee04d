// The dependency check of the repository's layout, run by `npm run lint`. The rules are data in this file (the
// folder table `mayImport`, the engine's layer table `engineLayers`); the repository's ARCHITECTURE.md mirrors them,
// so a change to a rule is made here first. For every TypeScript file it reads the imports with the TypeScript
// parser (type-only imports count: they tie files together as much as value imports do) and fails on:
//   - an import of a top-level folder the importing folder may not use (and `vscode` or node modules where banned);
//   - inside engine/, an import of a higher layer, or of a module of the same layer that `siblingImports` does not list;
//   - from outside engine/ (language-server, extension, …), an engine import that skips the module's public index;
//   - a computed `import(x)` / `require(x)`, unless an allow comment names what it loads (see `allowPattern`);
//   - an import cycle between files, printed as the chain of importing lines.
// Usage: check-deps.ts [ROOT] (default: the current directory).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

type Folder =
  | "common"
  | "engine"
  | "language-server"
  | "extension"
  | "webviews"
  | "schemas"
  | "test"
  | "bench"
  | "scripts"
  | "samples";

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
/** Folders that may reach into any file of another folder (and may compute import specifiers). */
const unrestricted = new Set<string>(["test", "bench", "scripts"]);

/**
 * The engine's layers, lowest first. A module (a folder of engine/, or a file directly in it) may import modules of
 * lower layers; of its own layer only itself and what `siblingImports` lists. A module missing from the table is a
 * problem, so a new folder gets a place here before it gets imports.
 */
const engineLayers: readonly (readonly string[])[] = [
  ["errors.ts", "events.ts", "step.ts", "version.ts", "fs"], // the error type, the event sink and step helper, atomic writes, file sniffing
  ["onnx"], // the ONNX model: read, write, walk, shapes, opset upgrade
  ["formats", "data"], // model-format plug-ins; datasets and plain tensors
  ["inspect", "graph"], // model summaries; the compact graph for the viewer and `edge graph`
  ["recipe", "run", "compile", "quantize", "evaluate"], // the recipe, and the tools that act on a model
  ["transports", "device-runner", "devices", "export"], // reaching devices; the program run on a device; device runs and listings; running the user's exporter
  ["report"], // the run folder's report
  ["pipeline"], // the recipe's steps in order
  ["cli"], // the `edge` command
];
/**
 * Imports allowed inside one layer. The tools that execute a model share run's onnxruntime session and statistics;
 * recipe checks stay independent of onnxruntime.
 */
const siblingImports: Readonly<Record<string, readonly string[]>> = {
  "events.ts": ["errors.ts"],
  "step.ts": ["events.ts", "errors.ts"],
  fs: ["errors.ts"],
  compile: ["run"],
  quantize: ["run"],
  evaluate: ["run"],
  devices: ["transports", "device-runner"],
};

/**
 * The comment that allows a computed import, on its line or in the comment lines right above it. It names the
 * dependency the import loads at run time, e.g. `check-deps: computed import of language-server (the built bundle)`.
 */
const allowPattern = /check-deps:\s*computed import of\s+([\w@./-]+)/;

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** npm packages that only run under node; webviews may not import them. */
const nodeOnlyPackages = new Set(["onnxruntime-node", "vscode-languageserver", "vscode-languageclient", "ajv", "yaml"]);

interface Import {
  /** The specifier, or undefined for a computed one. */
  spec: string | undefined;
  line: number;
  /** The dependency an allow comment names (computed imports only). */
  allowed?: string;
}

const root = resolve(process.argv[2] ?? ".");
const problems: string[] = [];
/** Computed imports with an allow comment: "file:line loads <dependency>", printed with the result. */
const declared: string[] = [];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "out" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const posix = (path: string) => path.split(sep).join("/");

function stringArgument(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/** Every import, export-from, import-equals, import type, `import()` and `require()` of a file. */
function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split("\n");
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const allowComment = (line: number): string | undefined => {
    for (let i = line - 1; i >= 0; i--) {
      const match = allowPattern.exec(lines[i]);
      if (match) return match[1];
      if (i < line - 1 && !/^\s*\/\//.test(lines[i])) return undefined; // only the comment block right above
    }
    return undefined;
  };
  const out: Import[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      out.push({ spec: stringArgument(node.moduleSpecifier), line: lineOf(node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      out.push({ spec: stringArgument(node.moduleReference.expression), line: lineOf(node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      out.push({ spec: stringArgument(node.argument.literal), line: lineOf(node) });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    ) {
      const spec = stringArgument(node.arguments[0]);
      const line = lineOf(node);
      out.push(spec === undefined ? { spec, line, allowed: allowComment(line) } : { spec, line });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The file a relative specifier names (a .ts source, or an index.ts), else the plain resolved path. */
function resolveFile(from: string, spec: string): { path: string; isFile: boolean } {
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(m|c)?js$/, "");
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return { path: candidate, isFile: true };
  }
  return { path: base, isFile: false };
}

/** The engine module of a repository path under engine/ ("onnx", "errors.ts"), else undefined. */
function engineModule(target: string): string | undefined {
  const parts = target.split("/");
  if (parts[0] !== "engine" || parts.length < 2) return undefined;
  return parts.length === 2 ? (/\.[cm]?tsx?$/.test(parts[1]) ? parts[1] : `${parts[1]}.ts`) : parts[1];
}

const layerOf = new Map(engineLayers.flatMap((row, i) => row.map((m) => [m, i] as const)));

function checkEngineLayers(where: string, fromModule: string, toModule: string): void {
  if (fromModule === toModule) return;
  const from = layerOf.get(fromModule);
  const to = layerOf.get(toModule);
  if (from === undefined || to === undefined) {
    problems.push(
      `${where}: engine module "${from === undefined ? fromModule : toModule}" has no layer in the table of scripts/check-deps.ts`,
    );
  } else if (to > from) {
    problems.push(
      `${where}: engine/${fromModule} (layer ${from}) may not import engine/${toModule} (higher layer ${to}); move the shared piece down`,
    );
  } else if (to === from && !(siblingImports[fromModule] ?? []).includes(toModule)) {
    problems.push(
      `${where}: engine/${fromModule} may not import engine/${toModule} (same layer; allowed: ${(siblingImports[fromModule] ?? []).join(", ") || "none"})`,
    );
  }
}

/** Outside the engine, an engine module is used through `engine/<module>/index.ts` or a top-level `engine/<file>.ts`. */
function isPublicEntry(target: string): boolean {
  const parts = target.replace(/\.[cm]?[jt]sx?$/, "").split("/");
  return (parts.length === 2 && parts[0] === "engine") || (parts.length === 3 && parts[2] === "index");
}

/** file → [imported file, line] for the cycle search. */
const graph = new Map<string, { to: string; line: number }[]>();

for (const folder of Object.keys(mayImport) as Folder[]) {
  let files: string[];
  try {
    files = walk(join(root, folder), []);
  } catch {
    continue; // folder not present
  }
  for (const file of files) {
    const from = posix(relative(root, file));
    const edges: { to: string; line: number }[] = [];
    graph.set(from, edges);
    for (const { spec, line, allowed: allowedBy } of importsOf(file, readFileSync(file, "utf8"))) {
      const where = `${from}:${line}`;
      if (spec === undefined) {
        if (allowedBy) declared.push(`${where} loads ${allowedBy}`);
        else if (!unrestricted.has(folder)) {
          problems.push(
            `${where}: computed import: the dependency check cannot see what it loads; use a literal specifier, or name the dependency in a comment: "check-deps: computed import of <what>"`,
          );
        }
        continue;
      }
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
      const resolved = resolveFile(file, spec);
      const target = posix(relative(root, resolved.path));
      if (resolved.isFile && /\.[cm]?tsx?$/.test(target)) edges.push({ to: target, line });
      const targetTop = target.split("/")[0];
      if (targetTop.startsWith("..")) continue;
      if (targetTop === folder) {
        const fromModule = engineModule(from);
        const toModule = engineModule(target);
        if (folder === "engine" && fromModule && toModule) checkEngineLayers(where, fromModule, toModule);
        continue;
      }
      const allowed = mayImport[folder];
      const stem = target.replace(/\.[cm]?tsx?$/, "");
      const ok = allowed.includes("*") || allowed.some((a) => stem === a || target.startsWith(`${a}/`));
      if (!ok) {
        problems.push(
          `${where}: ${folder}/ may not import ${target} (allowed: ${allowed.join(", ") || "nothing outside itself"})`,
        );
      } else if (targetTop === "engine" && !unrestricted.has(folder) && !isPublicEntry(target)) {
        const module = engineModule(target);
        problems.push(
          `${where}: ${folder}/ must import engine/${module} through its index (engine/${module}/index.ts), not ${target}`,
        );
      }
    }
  }
}

/** Strongly connected components of the import graph (Tarjan), as lists of files; only those with a cycle. */
function tangles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        connect(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v)!, index.get(to)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfImport = (graph.get(v) ?? []).some((e) => e.to === v);
      if (component.length > 1 || selfImport) out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return out;
}

/** The shortest cycle through the first file of a tangle, as "a.ts:3 → b.ts:7 → a.ts". */
function chain(component: string[]): string {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map<string, { from: string; line: number }>();
  const queue = [start];
  search: for (let i = 0; i < queue.length; i++) {
    for (const { to, line } of graph.get(queue[i]) ?? []) {
      if (!members.has(to) || previous.has(to)) continue;
      previous.set(to, { from: queue[i], line });
      if (to === start) break search;
      queue.push(to);
    }
  }
  const steps: string[] = [];
  let at = start;
  do {
    const step = previous.get(at)!;
    steps.unshift(`${step.from}:${step.line}`);
    at = step.from;
  } while (at !== start);
  const rest = component.length - steps.length;
  return `${[...steps, start].join(" → ")}${rest > 0 ? ` (and ${rest} more file(s) in the same tangle: ${component.filter((f) => !steps.some((s) => s.startsWith(`${f}:`))).join(", ")})` : ""}`;
}

for (const component of tangles()) problems.push(`import cycle: ${chain(component)}`);

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(
    `dependency check: ${problems.length} problem(s); the rules are in scripts/check-deps.ts (mirrored in ARCHITECTURE.md)`,
  );
  process.exit(1);
}
console.log(`dependency check: ok${declared.length > 0 ? ` (computed imports declared: ${declared.join("; ")})` : ""}`);
