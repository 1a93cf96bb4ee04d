// Step 1 of reading a recipe: YAML text → data with source positions → schema check, and the parts that
// matched the schema (for the checks of meaning, which run even while another part is wrong).
// Pure (no I/O): the language server calls it on every edit; `checkRecipe` adds the checks of meaning.
import { visit } from "yaml";
import type { Problem } from "./problem";
import { RecipeSource } from "./recipe-source";
import { validateAgainstSchema } from "./recipe-schema";
import type { EdgeRecipe } from "./recipe-types.generated";
import { schemaProblems } from "./schema-problems";
import type { YamlBlockCache } from "./yaml-blocks";
import { type RecipeParts, wellFormedParts, wholeRecipe } from "./well-formed";

export interface ParsedRecipe {
  /** The recipe file as the caller named it; problems carry it. */
  file: string;
  /** The YAML document and its line index, to place problems. */
  source: RecipeSource;
  /** The recipe as plain data; undefined when the YAML could not be read. */
  data: unknown;
  /** The recipe, typed, when it matches the schema (checks of meaning may still find errors). */
  recipe?: EdgeRecipe;
  /** YAML and schema problems. */
  problems: Problem[];
  /**
   * The parts that match the schema, for the checks of meaning: the whole recipe when it is valid; undefined
   * when the YAML could not be read or the recipe is not a map.
   */
  parts?: RecipeParts;
}

export interface ParseRecipeOptions {
  /** The document's block cache, so an edit re-parses only the top-level sections it touched (the editor). */
  blocks?: YamlBlockCache;
}

export function parseRecipe(text: string, file: string, options: ParseRecipeOptions = {}): ParsedRecipe {
  const source = new RecipeSource(text, options.blocks);
  const problems: Problem[] = [];
  for (const error of source.doc.errors) {
    problems.push({
      severity: "error",
      code: "yaml/syntax",
      message: `YAML syntax: ${firstLine(error.message)}`,
      file,
      range: source.rangeOfOffsets(error.pos[0], error.pos[1]),
    });
  }
  for (const warning of source.doc.warnings) {
    problems.push({
      severity: "warning",
      code: "yaml/warning",
      message: `YAML: ${firstLine(warning.message)}`,
      file,
      range: source.rangeOfOffsets(warning.pos[0], warning.pos[1]),
    });
  }
  // With syntax errors the data is a guess; schema errors about it would only add noise.
  if (problems.some((p) => p.severity === "error")) return { file, source, data: undefined, problems };

  let data: unknown;
  try {
    data = source.blockData ?? source.doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias whose anchor is missing or comes later, or too many aliases: the YAML cannot become data.
    problems.push({
      severity: "error",
      code: "yaml/syntax",
      message: `YAML: ${firstLine((e as Error).message)}`,
      file,
      range: aliasRange(source),
    });
    return { file, source, data: undefined, problems };
  }
  if (data === null || data === undefined) {
    problems.push({
      severity: "error",
      code: "schema/missing-key",
      message: "the recipe is empty: it needs at least `name` and `model`",
      file,
      range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
      hint: "name: my-recipe\nmodel:\n  path: models/model.onnx",
    });
    return { file, source, data, problems };
  }
  const { valid, errors } = validateAgainstSchema(data);
  if (!valid) {
    problems.push(...schemaProblems(errors, source, file));
    return { file, source, data, problems, parts: wellFormedParts(data, errors) };
  }
  const recipe = data as EdgeRecipe;
  return { file, source, data, recipe, problems, parts: wholeRecipe(recipe) };
}

function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

/** Where the first alias that does not resolve is, or the document's start. */
function aliasRange(source: RecipeSource): Problem["range"] {
  let range: Problem["range"] = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  visit(source.doc, {
    Alias(_, node) {
      if (node.resolve(source.doc) !== undefined || !node.range) return undefined;
      range = source.rangeOfOffsets(node.range[0], node.range[1]);
      return visit.BREAK;
    },
  });
  return range;
}
