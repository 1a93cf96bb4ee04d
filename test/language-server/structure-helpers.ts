// Helpers for the diagnostics, structure, code action and formatting tests: a world on the real file system
// (models read with the engine's reader, as `edge validate` reads them), recipes written to temp folders, a
// service over a world, ranges marked inline with ⟨here⟩, and applying edits.
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic, Position, TextEdit, WorkspaceEdit } from "vscode-languageserver-types";
import { isEdgeError } from "../../engine/errors";
import { readModelSignature } from "../../engine/onnx/signature";
import { createLanguageService, type LanguageService } from "../../language-server/service/language-service";
import type { ModelSummaryResult, QuantNodeFinding, WorldHost } from "../../language-server/world/world-host";
import { fakeWorld } from "./helpers";

export { repoRoot, sileroModel, ocrModel, tempDir, writeFiles, yaml } from "../recipe/helpers";

/** A world that reads the real file system and models (signature only), like the CLI; optional quant findings. */
export function diskWorld(options: { quantFindings?: QuantNodeFinding[] } = {}): WorldHost {
  return {
    ...fakeWorld(),
    homeDir: homedir(),
    async modelSummary(path): Promise<ModelSummaryResult> {
      try {
        const s = await readModelSignature(path);
        const stat = await fs.stat(path);
        return {
          ok: true,
          summary: {
            path,
            sizeBytes: stat.size,
            mtimeMs: stat.mtimeMs,
            producer: "",
            parameterCount: 0,
            parameterBytes: 0,
            nodeCount: 0,
            opCounts: {},
            nodes: [],
            valueShapes: {},
            ...s,
          },
        };
      } catch (e) {
        if (!isEdgeError(e)) throw e;
        return { ok: false, error: { code: e.code, message: e.message, hint: e.hint } };
      }
    },
    cachedModelSummary: () => undefined,
    async pathKind(path) {
      try {
        return (await fs.stat(path)).isDirectory() ? "directory" : "file";
      } catch {
        return undefined;
      }
    },
    quantFindings: () => Promise.resolve(options.quantFindings ?? []),
  };
}

export function service(world: WorldHost = diskWorld()): LanguageService {
  return createLanguageService(world);
}

let version = 0;

/** A document for a recipe file at `path` (which need not exist). */
export function docAt(path: string, text: string): TextDocument {
  return TextDocument.create(pathToFileURL(path).href, "edge-recipe", ++version, text);
}

/** A document at `<dir>/recipe.edge.yaml` whose text holds ⟨here⟩ markers; returns their positions, in order. */
export function markedDoc(
  dir: string,
  source: string,
  name = "recipe.edge.yaml",
): { document: TextDocument; at: Position[]; path: string } {
  const parts = source.split("⟨here⟩");
  const text = parts.join("");
  const path = join(dir, name);
  const document = docAt(path, text);
  const at: Position[] = [];
  let offset = 0;
  for (const part of parts.slice(0, -1)) {
    offset += part.length;
    at.push(document.positionAt(offset));
  }
  return { document, at, path };
}

/** Applies a workspace edit's changes for `document` and returns the new document (same URI, next version). */
export function applyWorkspaceEdit(document: TextDocument, edit: WorkspaceEdit | null | undefined): TextDocument {
  assert.ok(edit?.changes, "expected an edit with changes");
  const edits = edit.changes[document.uri] ?? [];
  return applyEdits(document, edits);
}

export function applyEdits(document: TextDocument, edits: TextEdit[]): TextDocument {
  return TextDocument.create(
    document.uri,
    document.languageId,
    document.version + 1,
    TextDocument.applyEdits(document, edits),
  );
}

/** A diagnostic's message as text (LSP 3.18 allows markup). */
export function messageOf(d: Diagnostic): string {
  return typeof d.message === "string" ? d.message : d.message.value;
}

export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return (
    diagnostics
      .map(
        (d) => `  ${d.range.start.line}:${d.range.start.character} ${String(d.code)}: ${messageOf(d).split("\n")[0]}`,
      )
      .join("\n") || "  (none)"
  );
}

/** The one diagnostic with `code` starting at `at`. */
export function diagnosticAt(diagnostics: readonly Diagnostic[], code: string, at: Position): Diagnostic {
  const found = diagnostics.find(
    (d) => d.code === code && d.range.start.line === at.line && d.range.start.character === at.character,
  );
  assert.ok(found, `expected ${code} at ${at.line}:${at.character}, got:\n${describeDiagnostics(diagnostics)}`);
  return found;
}
