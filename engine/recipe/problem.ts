// The problems found in a recipe: one shape for YAML, schema and meaning checks, shared by `edge validate`,
// `edge run` and the language server (which turns them into diagnostics). Lines and columns are 1-based.

export type Severity = "error" | "warning" | "information";

/** A position in the recipe text, 1-based like `file:line:col`. */
export interface Position {
  line: number;
  column: number;
}

/** A span of recipe text; `end` is exclusive (the position just after the last character). */
export interface Range {
  start: Position;
  end: Position;
}

/** What kind of problem, as `area/reason`; stable, so editors and tests can match on it. */
export type ProblemCode =
  | "yaml/syntax"
  | "yaml/warning"
  | "schema/unknown-key"
  | "schema/missing-key"
  | "schema/type"
  | "schema/enum"
  | "schema/range"
  | "schema/invalid"
  | "ref/unknown-device"
  | "ref/unknown-dataset"
  | "ref/unused-dataset"
  | "model/not-found"
  | "model/export"
  | "model/invalid"
  | "model/unknown-input"
  | "model/missing-input"
  | "model/rank-mismatch"
  | "model/dim-mismatch"
  | "model/dtype-mismatch"
  | "model/unknown-dim"
  | "model/unknown-output"
  | "model/opset"
  | "input/value"
  | "input/range"
  | "input/size"
  | "data/not-found"
  | "data/wrong-kind"
  | "data/tokenizer"
  | "option/not-applicable"
  | "option/conflict"
  | "option/unsupported"
  | "device/unsupported"
  | "device/choice"
  | "quantize/provider"
  | "budget/contradiction"
  | "budget/unmeasured";

export interface Problem {
  severity: Severity;
  code: ProblemCode;
  message: string;
  /** The recipe file, as the caller named it. */
  file: string;
  range: Range;
  hint?: string;
}

const severityOrder: Record<Severity, number> = { error: 0, warning: 1, information: 2 };

/** Orders problems by file, then position, then severity (errors first). Returns a new array. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.column - b.range.start.column ||
      severityOrder[a.severity] - severityOrder[b.severity],
  );
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

export function countBySeverity(problems: readonly Problem[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, information: 0 };
  for (const p of problems) counts[p.severity]++;
  return counts;
}

/** `file:line:col: error: message`, the form compilers use and editors' problem matchers read. */
export function formatProblem(p: Problem): string {
  const label = p.severity === "information" ? "info" : p.severity;
  return `${p.file}:${p.range.start.line}:${p.range.start.column}: ${label}: ${p.message}`;
}

/** "1 error, 2 warnings" (omitting zero counts, "no problems" when there are none). */
export function summarizeProblems(problems: readonly Problem[]): string {
  const c = countBySeverity(problems);
  const parts = [
    c.error ? `${c.error} error${c.error === 1 ? "" : "s"}` : "",
    c.warning ? `${c.warning} warning${c.warning === 1 ? "" : "s"}` : "",
    c.information ? `${c.information} note${c.information === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "no problems";
}
