// The parts of a recipe that match the schema, so the checks of meaning can run while another part is wrong
// (in an editor the recipe is half-written most of the time). Every part a schema error is about is cut out,
// and the cut repeated until what is left validates; the checks then run on what is left. A check that
// reasons from something being absent asks `broken(path)` first: "absent" may only mean "cut out".
import type { ErrorObject } from "ajv/dist/2020";
import { type SchemaNode, resolveRef, validateAgainstSchema } from "./recipe-schema";
import type { DataPath, PathSegment } from "./recipe-source";
import type { EdgeRecipe, Model } from "./recipe-types.generated";
import { pointerToPath } from "./schema-problems";
import { closestName } from "./suggest";

/** A recipe of which only well-formed parts are kept: `name` and `model` may be missing. */
export type PartialRecipe = Omit<EdgeRecipe, "name" | "model"> & { name?: string; model?: Model };

export interface RecipeParts {
  /** The recipe without the parts that broke the schema. */
  recipe: PartialRecipe;
  /** Whether the part at `path`, a part around it or a part inside it broke the schema (and was cut out). */
  broken(path: DataPath): boolean;
  /** The keys of the map at `path` as written, even of entries that were cut out (names a recipe defines). */
  writtenKeys(path: DataPath): string[] | undefined;
}

/** The parts of a recipe that matched the schema whole. */
export function wholeRecipe(recipe: EdgeRecipe): RecipeParts {
  return { recipe, broken: () => false, writtenKeys: (path) => keysAt(recipe, path) };
}

/** At most this many rounds of cutting: each round removes at least one part, and recipes are shallow. */
const maxRounds = 16;

/**
 * The well-formed parts of `data`, given the schema's errors about it; undefined when nothing can be kept
 * (the recipe is not a map).
 */
export function wellFormedParts(data: unknown, errors: readonly ErrorObject[]): RecipeParts | undefined {
  if (!isPlainMap(data)) return undefined;
  const kept = structuredClone(data);
  const cuts: DataPath[] = [];
  let pending = errors;
  for (let round = 0; round < maxRounds && pending.length > 0; round++) {
    let changed = false;
    for (const error of pending) {
      for (const path of cutsFor(error, kept)) {
        if (path.length === 0) {
          // The root itself: missing `name`/`model` are fine (checks skip them); anything else leaves nothing.
          if (error.keyword === "required") continue;
          return undefined;
        }
        cuts.push(path);
        if (removeAt(kept, path)) changed = true;
      }
    }
    if (!changed) break;
    pending = validateAgainstSchema(kept).errors;
  }
  if (pending.some((e) => !(e.keyword === "required" && e.instancePath === ""))) return undefined;
  return {
    recipe: kept as PartialRecipe,
    broken: (path) => cuts.some((cut) => isPrefix(cut, path) || isPrefix(path, cut)),
    writtenKeys: (path) => keysAt(data, path),
  };
}

/** The paths to cut for one schema error (several for an unknown key that is a likely typo of a known one). */
function cutsFor(error: ErrorObject, data: unknown): DataPath[] {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const propertyName =
    (error as ErrorObject & { propertyName?: string }).propertyName ??
    (error.keyword === "propertyNames" ? String(params.propertyName) : undefined);
  if (propertyName !== undefined) return [[...path, propertyName]];
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      // `metric:` is most likely `metrics:` misspelt: treat `metrics` as broken too, so nothing reports it missing.
      const known = Object.keys(resolveRef((error.parentSchema ?? {}) as SchemaNode).properties ?? {});
      const meant = closestName(key, known);
      const present =
        meant !== undefined && isPlainMap(valueAt(data, path)) && meant in (valueAt(data, path) as object);
      return meant !== undefined && !present
        ? [
            [...path, key],
            [...path, meant],
          ]
        : [[...path, key]];
    }
    case "required":
    case "oneOf":
      return [path];
    default: {
      // An item of a list: cut the whole list, so indexes (and the positions problems point at) stay right.
      const firstIndex = path.findIndex((s) => typeof s === "number");
      return [firstIndex === -1 ? path : path.slice(0, firstIndex)];
    }
  }
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(data: unknown, path: DataPath): unknown {
  let node = data;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === "number") node = node[segment];
    else if (isPlainMap(node) && Object.hasOwn(node, String(segment))) node = node[String(segment)];
    else return undefined;
  }
  return node;
}

function keysAt(data: unknown, path: DataPath): string[] | undefined {
  const node = valueAt(data, path);
  return isPlainMap(node) ? Object.keys(node) : undefined;
}

/** Removes the value at `path` (a map entry, or a list item); true when something was removed. */
function removeAt(data: unknown, path: DataPath): boolean {
  const parent = valueAt(data, path.slice(0, -1));
  const last: PathSegment = path[path.length - 1];
  if (isPlainMap(parent) && Object.hasOwn(parent, String(last))) {
    delete parent[String(last)];
    return true;
  }
  if (Array.isArray(parent) && typeof last === "number" && last < parent.length) {
    parent.splice(last, 1);
    return true;
  }
  return false;
}

function isPrefix(prefix: DataPath, path: DataPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));
}
