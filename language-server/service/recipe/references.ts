// The names a recipe defines and uses (devices under `devices`, used by `run.device`; datasets under `data`, used
// by `quantize.calibration.data`, `evaluate.data` and `run.data`) and the file paths it names, as YAML nodes.
// Shared by document links, go-to-definition and rename.
import { type Document, isMap, isScalar, type Node, type Scalar } from "yaml";
import { type DataPath, type PathSegment, resolveRecipePath } from "../../../engine/recipe";
import { keyName, mapAtPath, nodeAtPath } from "./nodes";

export type NameKind = "device" | "dataset";

/** Where each kind of name is defined (the keys of this map) and the values that use it. */
export const nameSections: Record<NameKind, { definedIn: string; usedAt: DataPath[] }> = {
  device: { definedIn: "devices", usedAt: [["run", "device"]] },
  dataset: {
    definedIn: "data",
    usedAt: [
      ["quantize", "calibration", "data"],
      ["evaluate", "data"],
      ["run", "data"],
      ["run", "generate", "data"],
    ],
  },
};

export interface NameOccurrence {
  kind: NameKind;
  name: string;
  /** The key node (a definition) or the scalar value (a use). */
  node: Scalar;
  role: "definition" | "use";
}

/** The name at a node, when the node is a device or dataset definition key or a use of one. */
export function nameAt(
  doc: Document,
  path: readonly PathSegment[],
  on: "key" | "value",
  node: Node,
): NameOccurrence | undefined {
  if (!isScalar(node) || node.value === null || typeof node.value === "object") return undefined;
  const name = String(node.value);
  for (const [kind, section] of Object.entries(nameSections) as [NameKind, (typeof nameSections)[NameKind]][]) {
    if (on === "key" && path.length === 2 && path[0] === section.definedIn)
      return { kind, name, node, role: "definition" };
    if (on === "value" && section.usedAt.some((used) => samePath(used, path))) return { kind, name, node, role: "use" };
  }
  return undefined;
}

/** Every occurrence of a name of `kind`: its definition key (if defined) and each use. */
export function occurrences(doc: Document, kind: NameKind, name: string): NameOccurrence[] {
  const section = nameSections[kind];
  const found: NameOccurrence[] = [];
  const definition = definitionKey(doc, kind, name);
  if (definition) found.push({ kind, name, node: definition, role: "definition" });
  for (const path of section.usedAt) {
    const node = nodeAtPath(doc, path);
    if (isScalar(node) && node.value !== null && String(node.value) === name)
      found.push({ kind, name, node, role: "use" });
  }
  return found;
}

/** The key defining `name` under `devices` or `data`. */
export function definitionKey(doc: Document, kind: NameKind, name: string): Scalar | undefined {
  const map = mapAtPath(doc, [nameSections[kind].definedIn]);
  const pair = map?.items.find((p) => keyName(p.key) === name);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

/** The names defined under `devices` or `data`. */
export function definedNames(doc: Document, kind: NameKind): string[] {
  const map = mapAtPath(doc, [nameSections[kind].definedIn]);
  return isMap(map) ? map.items.map((p) => keyName(p.key)).filter((n): n is string => n !== undefined) : [];
}

/** A file path the recipe names. */
export interface PathValue {
  path: DataPath;
  node: Scalar;
  written: string;
}

/** The file paths: `model.path`, each dataset's `path` and `tokenizer`, each ssh device's `identity_file`. */
export function pathValues(doc: Document): PathValue[] {
  const candidates: DataPath[] = [["model", "path"]];
  for (const name of definedNames(doc, "dataset")) candidates.push(["data", name, "path"], ["data", name, "tokenizer"]);
  for (const name of definedNames(doc, "device")) candidates.push(["devices", name, "ssh", "identity_file"]);
  const found: PathValue[] = [];
  for (const path of candidates) {
    const node = nodeAtPath(doc, path);
    if (isScalar(node) && typeof node.value === "string" && node.value.trim() !== "" && node.range)
      found.push({ path, node, written: node.value });
  }
  return found;
}

export function isPathValue(path: readonly PathSegment[]): boolean {
  const p = path.map(String);
  return (
    (p.length === 2 && p[0] === "model" && p[1] === "path") ||
    (p.length === 3 && p[0] === "data" && (p[2] === "path" || p[2] === "tokenizer")) ||
    (p.length === 4 && p[0] === "devices" && p[2] === "ssh" && p[3] === "identity_file")
  );
}

/** The absolute path a written path means, as the engine resolves it; undefined for relative paths of unsaved buffers. */
export function resolveWritten(
  written: string,
  baseDir: string | undefined,
  homeDir: string | undefined,
): string | undefined {
  const isHome = homeDir !== undefined && (written === "~" || written.startsWith("~/"));
  if (baseDir === undefined && !isHome && !written.startsWith("/")) return undefined;
  return resolveRecipePath(written, baseDir ?? "/", homeDir);
}

function samePath(a: DataPath, b: readonly PathSegment[]): boolean {
  return a.length === b.length && a.every((s, i) => String(s) === String(b[i]));
}
