// Turns ajv's schema errors into problems a person can act on, each placed on the offending key or value:
// unknown keys on the key (with "did you mean"), missing keys on their parent's key, wrong types and values
// on the value, enums with their allowed values.
import type { ErrorObject } from "ajv/dist/2020";
import type { Problem, ProblemCode, Range } from "./problem";
import type { DataPath, RecipeSource } from "./recipe-source";
import { type SchemaNode, resolveRef, schemaAt } from "./recipe-schema";
import { didYouMean, listNames } from "./suggest";

/** Parses ajv's instancePath ("/devices/pixel8/threads") into segments; digits become sequence indexes. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/** "`run.iterations`", "`model.inputs.x.shape[1]`", or "the recipe" for the root. */
export function describePath(path: DataPath): string {
  if (path.length === 0) return "the recipe";
  let text = "";
  for (const segment of path) text += typeof segment === "number" ? `[${segment}]` : text ? `.${segment}` : segment;
  return `\`${text}\``;
}

/** Problems for every schema error, placed in the source. */
export function schemaProblems(errors: readonly ErrorObject[], source: RecipeSource, file: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  // Errors inside a oneOf's branches only explain why the oneOf failed: the oneOf error says it better.
  const oneOfs = errors.filter((e) => e.keyword === "oneOf");
  const insideOneOf = (e: ErrorObject) =>
    oneOfs.some((o) => o !== e && o.instancePath === e.instancePath && e.schemaPath.startsWith(`${o.schemaPath}/`));
  for (const error of errors) {
    if (insideOneOf(error) || error.keyword === "propertyNames") continue;
    const problem = explain(error, source, file);
    const key = `${problem.range.start.line}:${problem.range.start.column}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function explain(error: ErrorObject, source: RecipeSource, file: string): Problem {
  const path = pointerToPath(error.instancePath);
  const at = describePath(path);
  const make = (code: ProblemCode, range: Range, message: string, hint?: string): Problem => ({
    severity: "error",
    code,
    message,
    file,
    range,
    hint,
  });
  const params = error.params as Record<string, unknown>;
  const parentSchema = (error.parentSchema ?? {}) as SchemaNode;

  // A map key that is not a valid name (propertyNames).
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const rule = parentSchema.patternErrorMessage ?? error.message ?? "invalid";
    return make(
      "schema/invalid",
      source.childKeyRange(path, propertyName),
      `\`${propertyName}\` is not a valid name in ${at}: ${rule}`,
    );
  }

  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(resolveRef(parentSchema).properties ?? {});
      return make(
        "schema/unknown-key",
        source.childKeyRange(path, key),
        `unknown key \`${key}\` in ${at}${didYouMean(key, allowed)}`,
        allowed.length ? `keys allowed here: ${allowed.join(", ")}` : `${at} takes no keys`,
      );
    }
    case "required": {
      const missing = String(params.missingProperty);
      const about = schemaAt([...path, missing])?.description;
      const owner = path.length === 0 ? "the recipe" : at;
      return make(
        "schema/missing-key",
        source.keyRange(path),
        `${owner} is missing \`${missing}\``,
        about ? `\`${missing}\`: ${about}` : undefined,
      );
    }
    case "oneOf": {
      const options = (Array.isArray(error.schema) ? error.schema : [])
        .map((branch: { required?: string[] }) => branch.required?.[0])
        .filter((k): k is string => typeof k === "string");
      const passing = params.passingSchemas as number[] | null;
      if (options.length && passing === null) {
        return make("schema/missing-key", source.keyRange(path), `${at} needs exactly one of ${listNames(options)}`);
      }
      if (options.length && Array.isArray(passing)) {
        const given = passing.map((i) => options[i]);
        return make(
          "schema/invalid",
          source.keyRange([...path, given[given.length - 1]]),
          `${at} has ${listNames(given, "and")}: give exactly one of ${listNames(options)}`,
        );
      }
      return make("schema/invalid", source.valueRange(path), `${at} ${error.message ?? "is invalid"}`);
    }
    case "type": {
      const expected = String(params.type).split(",").map(typeName);
      const value = error.data;
      const range = value === null ? source.keyRange(path) : source.valueRange(path);
      const hint =
        expected.includes("text") && (typeof value === "number" || typeof value === "boolean")
          ? `quote it: "${String(value)}"`
          : undefined;
      return make("schema/type", range, `${at} must be ${expected.join(" or ")}, not ${describeValue(value)}`, hint);
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const given = error.data;
      const suggestion = typeof given === "string" ? didYouMean(given, allowed.map(String)) : "";
      return make(
        "schema/enum",
        source.valueRange(path),
        `${at} must be one of ${listNames(allowed.map(String))}, not \`${String(given)}\`${suggestion}`,
      );
    }
    case "const":
      return make(
        "schema/enum",
        source.valueRange(path),
        `${at} must be \`${String(params.allowedValue)}\`, not \`${String(error.data)}\``,
      );
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const symbol = { minimum: "≥", maximum: "≤", exclusiveMinimum: ">", exclusiveMaximum: "<" }[error.keyword];
      return make(
        "schema/range",
        source.valueRange(path),
        `${at} must be ${symbol} ${String(params.limit)}, not ${String(error.data)}`,
      );
    }
    case "minItems":
    case "maxItems": {
      const min = parentSchema.minItems;
      const max = parentSchema.maxItems;
      const count = Array.isArray(error.data) ? error.data.length : 0;
      const want =
        min !== undefined && min === max
          ? `exactly ${String(min)}`
          : error.keyword === "minItems"
            ? `at least ${String(params.limit)}`
            : `at most ${String(params.limit)}`;
      return make(
        "schema/range",
        source.valueRange(path),
        `${at} must have ${want} item${want.endsWith(" 1") ? "" : "s"}, not ${count}`,
      );
    }
    case "uniqueItems": {
      const j = Number(params.j);
      const i = Number(params.i);
      const items = Array.isArray(error.data) ? error.data : [];
      const later = Math.max(i, j);
      return make(
        "schema/invalid",
        source.valueRange([...path, later]),
        `${at} lists \`${String(items[later])}\` more than once`,
      );
    }
    case "minLength":
      return make("schema/invalid", source.valueRange(path), `${at} must not be empty`);
    case "maxLength":
      return make(
        "schema/invalid",
        source.valueRange(path),
        `${at} must be at most ${String(params.limit)} characters long`,
      );
    case "pattern":
      return make(
        "schema/invalid",
        source.valueRange(path),
        `${at} \`${String(error.data)}\` is not allowed: ${parentSchema.patternErrorMessage ?? `it must match ${String(params.pattern)}`}`,
      );
    default:
      return make("schema/invalid", source.valueRange(path), `${at} ${error.message ?? "is invalid"}`);
  }
}

function typeName(jsonType: string): string {
  switch (jsonType) {
    case "object":
      return "a map";
    case "array":
      return "a list";
    case "string":
      return "text";
    case "integer":
      return "an integer";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "null":
      return "empty";
    default:
      return jsonType;
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "object":
      return "a map";
    case "string":
      return `text ("${value.length > 24 ? `${value.slice(0, 24)}…` : value}")`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return String(value);
    default:
      return typeof value;
  }
}
