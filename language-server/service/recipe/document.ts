// Analysed recipe documents, cached by URI and version: the YAML with positions and the schema problems (from the
// engine's parseRecipe), the recipe's folder and file path. Every feature asks here, so one edit parses once,
// and only the top-level sections the edit touched (engine/recipe/yaml-blocks.ts).
import type { TextDocument } from "vscode-languageserver-textdocument";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import { type ParsedRecipe, parseRecipe, YamlBlockCache } from "../../../engine/recipe";

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
  /** Per document: the top-level sections of its last parse, so an edit re-parses only what it touched. */
  private readonly blocks = new Map<string, YamlBlockCache>();

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
      parsed: parseRecipe(text, file, { blocks: this.blocksOf(document.uri) }),
    };
    this.cache.set(document.uri, analysed);
    return analysed;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.blocks.delete(uri);
  }

  private blocksOf(uri: string): YamlBlockCache {
    let blocks = this.blocks.get(uri);
    if (!blocks) this.blocks.set(uri, (blocks = new YamlBlockCache()));
    return blocks;
  }
}
