// Diagnostics: exactly the problems `edge validate` reports (YAML, schema, and the engine's checks of meaning,
// run through `checkRecipe` with a host on the world), with 0-based ranges; plus the worst per-node quantization
// findings of the recipe's last run, as information on the node's name or on `quantize`.
import type { TextDocument } from "vscode-languageserver-textdocument";
import {
  type Diagnostic,
  type DiagnosticRelatedInformation,
  DiagnosticSeverity,
  DiagnosticTag,
} from "vscode-languageserver-types";
import { checkRecipe, type Problem, type Severity } from "../../../engine/recipe";
import type { QuantNodeFinding } from "../../world/world-host";
import { worldCheckHost } from "./check-host";
import type { ServiceContext } from "../service-context";
import type { RecipeDocument } from "../recipe/document";
import { keyName, nodeAtPath, offsetRange, pairAtPath, seqAtPath, toLspRange } from "../recipe/nodes";
import { isScalar } from "yaml";
import { formatBytes } from "../../../common/units";

/** Every diagnostic says it comes from us. */
export const diagnosticSource = "edge";

/** The code of per-node quantization findings (not an engine problem: the CLI does not read past runs). */
export const quantFindingCode = "quant/node-error";

/** How many per-node findings to show: the worst ones; the rest would be noise. */
export const shownQuantFindings = 5;

/** What a per-node finding carries for its code action. */
export interface QuantFindingData {
  node: string;
}

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

/** The code of the one diagnostic of a recipe too large for the editor's checks. */
export const tooLargeCode = "language-server/recipe-too-large";

export async function doValidation(context: ServiceContext, textDocument: TextDocument): Promise<Diagnostic[]> {
  const document = context.documents.get(textDocument);
  if (document.tooLarge) return [tooLargeDiagnostic(document.tooLarge)];
  const [{ problems }, findings] = await Promise.all([
    checkRecipe(document.parsed, worldCheckHost(context.world, document)),
    document.baseDir ? context.world.quantFindings(document.file) : Promise.resolve([]),
  ]);
  return [
    ...problems.map((p) => toDiagnostic(p, document, textDocument)),
    ...findingDiagnostics(findings, document, textDocument),
  ];
}

/** Over the limit: one warning on the first line, naming the size and the command that checks it anyway. */
function tooLargeDiagnostic({ sizeBytes, limitBytes }: { sizeBytes: number; limitBytes: number }): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Warning,
    source: diagnosticSource,
    code: tooLargeCode,
    message:
      `recipe too large for the editor checks (${formatBytes(sizeBytes)}); run \`edge validate\`\n` +
      `the editor checks recipes up to ${formatBytes(limitBytes)} (initialization option maxCheckedRecipeBytes)`,
  };
}

/**
 * A problem as a diagnostic: the same message (its hint, when there is one, on a second line, as `edge validate
 * --json` gives it), `code` the problem's code; names defined elsewhere as related information.
 */
export function toDiagnostic(problem: Problem, document: RecipeDocument, textDocument: TextDocument): Diagnostic {
  const diagnostic: Diagnostic = {
    range: toLspRange(problem.range),
    severity: severities[problem.severity],
    source: diagnosticSource,
    code: problem.code,
    message: problem.hint ? `${problem.message}\n${problem.hint}` : problem.message,
  };
  if (problem.code === "ref/unused-dataset") diagnostic.tags = [DiagnosticTag.Unnecessary];
  const related = relatedInformation(problem, document, textDocument);
  if (related.length) diagnostic.relatedInformation = related;
  return diagnostic;
}

/** Where the names an unknown reference could use are defined; the other budget of a contradiction. */
function relatedInformation(
  problem: Problem,
  document: RecipeDocument,
  textDocument: TextDocument,
): DiagnosticRelatedInformation[] {
  const doc = document.parsed.source.doc;
  const at = (path: string[], message: string): DiagnosticRelatedInformation[] => {
    const found = pairAtPath(doc, path);
    if (!found?.key.range) return [];
    return [
      {
        location: { uri: document.uri, range: offsetRange(textDocument, found.key.range[0], found.key.range[1]) },
        message,
      },
    ];
  };
  switch (problem.code) {
    case "ref/unknown-device":
      return at(["devices"], "devices are defined here");
    case "ref/unknown-dataset":
      return at(["data"], "datasets are defined here");
    case "budget/contradiction": {
      // The message names the budget it is on first, then the one it contradicts.
      const names = [...problem.message.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]);
      const other = names.find((n, i) => i > 0 && n !== names[0] && pairAtPath(doc, ["budgets", n]));
      return other ? at(["budgets", other], `\`${other}\` is here`) : [];
    }
    default:
      return [];
  }
}

/** The worst findings (lowest SQNR first), each on the node's name where the recipe lists it, else on `quantize`. */
function findingDiagnostics(
  findings: readonly QuantNodeFinding[],
  document: RecipeDocument,
  textDocument: TextDocument,
): Diagnostic[] {
  if (findings.length === 0) return [];
  const doc = document.parsed.source.doc;
  const worst = [...findings].sort((a, b) => a.sqnrDb - b.sqnrDb).slice(0, shownQuantFindings);
  const methodNode = nodeAtPath(doc, ["quantize", "method"]);
  const method = isScalar(methodNode) && typeof methodNode.value === "string" ? methodNode.value : "quantization";
  const of = findings.length > shownQuantFindings ? ` (worst ${shownQuantFindings} of ${findings.length} shown)` : "";
  const quantizeKey = pairAtPath(doc, ["quantize"])?.key;
  const fallback = quantizeKey?.range
    ? offsetRange(textDocument, quantizeKey.range[0], quantizeKey.range[1])
    : toLspRange(document.parsed.source.keyRange(["quantize"]));
  return worst.map((finding) => {
    const listed = listedNode(document, finding.node);
    const data: QuantFindingData = { node: finding.node };
    return {
      range: listed ? offsetRange(textDocument, listed[0], listed[1]) : fallback,
      severity: DiagnosticSeverity.Information,
      source: diagnosticSource,
      code: quantFindingCode,
      message: `node ${finding.node}${finding.opType ? ` (${finding.opType})` : ""}: SQNR ${finding.sqnrDb.toFixed(1)} dB after ${method}${of}`,
      data,
    };
  });
}

/** Where the recipe lists a node by name (`quantize.include.nodes` or `quantize.exclude.nodes`). */
function listedNode(document: RecipeDocument, node: string): [number, number] | undefined {
  for (const filter of ["include", "exclude"]) {
    const seq = seqAtPath(document.parsed.source.doc, ["quantize", filter, "nodes"]);
    const item = seq?.items.find((i) => isScalar(i) && keyName(i) === node);
    if (isScalar(item) && item.range) return [item.range[0], item.range[1]];
  }
  return undefined;
}
