// The VS Code versions the real-VS-Code suites run on agree with package.json and the setup script: the oldest build
// is one engines.vscode admits, @types/vscode is pinned to the engines minimum (so the typecheck sees only the API of
// the oldest VS Code the extension claims), and scripts/setup-code-server.sh installs each build with its Node.
// Cheap: reads files, starts nothing.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { codeServerBuilds, NEWEST_BUILD, OLDEST_BUILD } from "./harness";
import { repoRoot } from "./workspace";

interface Manifest {
  engines: { vscode: string };
  devDependencies: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as Manifest;

function parse(version: string): [number, number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  assert.ok(match, `${version} is a plain x.y.z version`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compare(a: string, b: string): number {
  const [x, y] = [parse(a), parse(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** `^M.m.p` admits `version` (same major, not older). */
function admits(range: string, version: string): boolean {
  const minimum = range.replace(/^\^/, "");
  return parse(minimum)[0] === parse(version)[0] && compare(version, minimum) >= 0;
}

void test("engines.vscode is a caret range whose minimum @types/vscode is pinned to", () => {
  assert.match(manifest.engines.vscode, /^\^\d+\.\d+\.\d+$/);
  assert.equal(manifest.devDependencies["@types/vscode"], manifest.engines.vscode.slice(1));
});

void test("every build is one engines.vscode admits; the oldest is older than the newest", () => {
  for (const build of codeServerBuilds)
    assert.ok(
      admits(manifest.engines.vscode, build.vscodeVersion),
      `VS Code ${build.vscodeVersion} satisfies ${manifest.engines.vscode}`,
    );
  assert.ok(compare(OLDEST_BUILD.vscodeVersion, NEWEST_BUILD.vscodeVersion) < 0);
  // code-server 4.N.x is built from VS Code 1.N.
  for (const build of codeServerBuilds)
    assert.equal(
      parse(build.codeServerVersion)[1],
      parse(build.vscodeVersion)[1],
      `code-server ${build.codeServerVersion} ↔ VS Code ${build.vscodeVersion}`,
    );
});

void test("scripts/setup-code-server.sh installs each build with its Node, both by default", () => {
  const script = readFileSync(join(repoRoot, "scripts", "setup-code-server.sh"), "utf8");
  const table = /declare -A NODE_FOR=\(([^)]*)\)/.exec(script)?.[1] ?? "";
  const nodeFor = new Map([...table.matchAll(/\[([\d.]+)\]=([\d.]+)/g)].map((m) => [m[1], m[2]]));
  const defaults = (/DEFAULT_VERSIONS=\(([^)]*)\)/.exec(script)?.[1] ?? "").trim().split(/\s+/);
  for (const build of codeServerBuilds) {
    assert.equal(
      nodeFor.get(build.codeServerVersion),
      build.nodeVersion,
      `code-server ${build.codeServerVersion} runs on Node ${build.nodeVersion}`,
    );
    assert.ok(defaults.includes(build.codeServerVersion), `${build.codeServerVersion} is installed by default`);
  }
});
