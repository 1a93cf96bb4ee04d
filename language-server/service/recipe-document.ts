// Analysed recipe documents, cached by URI and version: the YAML with positions and the schema problems (from the
// engine's parseRecipe), the recipe's folder and file path. Every feature asks here, so one edit parses once.
import type { TextDocument } from "vscode-languageserver-textdocument";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import { type ParsedRecipe, parseRecipe } from "../../engine/recipe";

export interface RecipeDocument {
  uri: string;
  version: number;
  /** Absolute file path for file: URIs; the URI itself otherwise (untitled documents). */
  file: string;
  /** Folder relative paths in the recipe start from (undefined for untitled documents). */
  baseDir?: string;
  text: string;
  parsed: ParsedRecipe;
}

export class RecipeDocuments {
  private readonly cache = new Map<string, RecipeDocument>();

  get(document: TextDocument): RecipeDocument {
    const hit = this.cache.get(document.uri);
    if (hit && hit.version === document.version && hit.text.length === document.getText().length) return hit;
    const text = document.getText();
    const file = document.uri.startsWith("file:") ? fileURLToPath(document.uri) : document.uri;
    const analysed: RecipeDocument = {
      uri: document.uri,
      version: document.version,
      file,
      baseDir: document.uri.startsWith("file:") ? dirname(file) : undefined,
      text,
      parsed: parseRecipe(text, file),
    };
    this.cache.set(document.uri, analysed);
    return analysed;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
