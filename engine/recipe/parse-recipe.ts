// Step 1 of reading a recipe: YAML text → data with source positions → schema check, and the parts that
// matched the schema (for the checks of meaning, which run even while another part is wrong).
// Pure (no I/O): the language server calls it on every edit; `checkRecipe` adds the checks of meaning.
import type { Problem } from "./problem";
import { RecipeSource } from "./recipe-source";
import { validateAgainstSchema } from "./recipe-schema";
import type { EdgeRecipe } from "./recipe-types.generated";
import { schemaProblems } from "./schema-problems";
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

export function parseRecipe(text: string, file: string): ParsedRecipe {
  const source = new RecipeSource(text);
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
    problems.push({ severity: "warning", code: "yaml/warning", message: `YAML: ${firstLine(warning.message)}`, file, range: source.rangeOfOffsets(warning.pos[0], warning.pos[1]) });
  }
  // With syntax errors the data is a guess; schema errors about it would only add noise.
  if (problems.some((p) => p.severity === "error")) return { file, source, data: undefined, problems };

  const data: unknown = source.doc.toJS({ maxAliasCount: 100 });
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
