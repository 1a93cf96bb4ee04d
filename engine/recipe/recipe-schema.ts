// The recipe's JSON Schema (schemas/edge-recipe.schema.json, the one source of truth) and its compiled
// validator. Compiled once, on first use, so importing the recipe module stays cheap.
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import schemaJson from "../../schemas/edge-recipe.schema.json" with { type: "json" };
import type { EdgeRecipe } from "./recipe-types.generated";

/** A JSON Schema node as this module reads it (only the keywords the error messages need). */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  patternErrorMessage?: string;
  [keyword: string]: unknown;
}

export const recipeSchema = schemaJson as unknown as SchemaNode & { $defs: Record<string, SchemaNode> };

/** Annotation keywords the schema carries for editors (VS Code's JSON and YAML services read them). */
const editorKeywords = ["patternErrorMessage", "enumDescriptions"];

let validator: ValidateFunction<EdgeRecipe> | undefined;

/** The compiled validator: every error (allErrors), with the failing schema attached (verbose). */
export function recipeValidator(): ValidateFunction<EdgeRecipe> {
  if (!validator) {
    const ajv = new Ajv2020({
      allErrors: true,
      verbose: true,
      strict: true,
      allowUnionTypes: true,
      strictRequired: false,
    });
    ajv.addVocabulary(editorKeywords);
    validator = ajv.compile<EdgeRecipe>(recipeSchema);
  }
  return validator;
}

/** Validates plain data against the schema; the errors are ajv's, for `schemaProblems` to explain. */
export function validateAgainstSchema(data: unknown): { valid: boolean; errors: ErrorObject[] } {
  const validate = recipeValidator();
  const valid = validate(data);
  return { valid, errors: valid ? [] : [...(validate.errors ?? [])] };
}

/** Follows a local `$ref` ("#/$defs/Name") to its schema node. */
export function resolveRef(node: SchemaNode): SchemaNode {
  let current = node;
  for (let i = 0; i < 8 && current.$ref; i++) {
    const name = current.$ref.replace(/^#\/\$defs\//, "");
    const target = recipeSchema.$defs[name];
    if (!target) break;
    current = { ...target, ...withoutRef(current) };
  }
  return current;
}

function withoutRef(node: SchemaNode): SchemaNode {
  const { $ref: _ref, ...rest } = node;
  return rest;
}

/** The schema node describing the value at a data path (map entries through `additionalProperties`), if any. */
export function schemaAt(path: readonly (string | number)[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = recipeSchema;
  for (const segment of path) {
    if (!node) return undefined;
    node = resolveRef(node);
    if (typeof segment === "number") node = node.items;
    else if (node.properties && segment in node.properties) node = node.properties[segment];
    else if (node.additionalProperties && typeof node.additionalProperties === "object")
      node = node.additionalProperties;
    else return undefined;
  }
  return node ? resolveRef(node) : undefined;
}
