// Analysed recipe documents, cached by URI and version: the YAML with positions and the schema problems (from the
// engine's parseRecipe), the recipe's folder and file path. Every feature asks here, so one edit parses once,
// and only the top-level sections the edit touched (engine/recipe/yaml-blocks.ts). A recipe over the size limit
// is not parsed at all (its parse would hold up every request for seconds): it is analysed as empty and marked
// `tooLarge`, and validation says so; completion and hover read the text itself, so they keep working.
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
  /** Set when the recipe is over the limit: `parsed` is then the analysis of an empty text. */
  tooLarge?: { sizeBytes: number; limitBytes: number };
}

export interface RecipeDocumentsOptions {
  /** Recipes larger than this (UTF-8 bytes) are not parsed; default DEFAULT_MAX_CHECKED_RECIPE_BYTES. */
  maxCheckedRecipeBytes?: number;
}

/** 1 MB: about 30,000 lines, fifteen times the largest recipe the benchmark edits; parsing it takes about a second. */
export const DEFAULT_MAX_CHECKED_RECIPE_BYTES = 1_000_000;

export class RecipeDocuments {
  private readonly cache = new Map<string, RecipeDocument>();
  /** Per document: the top-level sections of its last parse, so an edit re-parses only what it touched. */
  private readonly blocks = new Map<string, YamlBlockCache>();

  /** Read at each use, so the server can set the limit from `initialize` after creating the service. */
  constructor(private readonly options: RecipeDocumentsOptions = {}) {}

  get(document: TextDocument): RecipeDocument {
    const hit = this.cache.get(document.uri);
    if (hit && hit.version === document.version && hit.text.length === document.getText().length) return hit;
    const text = document.getText();
    const file = document.uri.startsWith("file:") ? fileURLToPath(document.uri) : document.uri;
    const limitBytes = this.options.maxCheckedRecipeBytes ?? DEFAULT_MAX_CHECKED_RECIPE_BYTES;
    // UTF-8 is at most 3 bytes per UTF-16 unit: count the bytes only when the length alone does not decide.
    const sizeBytes = text.length * 3 <= limitBytes ? text.length : Buffer.byteLength(text, "utf8");
    if (sizeBytes > limitBytes) {
      this.blocks.delete(document.uri);
      const analysed: RecipeDocument = {
        uri: document.uri,
        version: document.version,
        file,
        baseDir: document.uri.startsWith("file:") ? dirname(file) : undefined,
        text,
        parsed: parseRecipe("", file),
        tooLarge: { sizeBytes, limitBytes },
      };
      this.cache.set(document.uri, analysed);
      return analysed;
    }
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
