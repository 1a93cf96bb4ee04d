// Writes the recipe reference (every key: type, default, description, example) from
// schemas/edge-recipe.schema.json into README.md between the recipe-reference markers.
// `npm run gen` runs it; test/recipe/generated.test.ts fails when the README is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Document, isMap, isScalar, visit } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
export const schemaFile = join(root, "schemas", "edge-recipe.schema.json");
export const readmeFile = join(root, "README.md");
export const startMarker = "<!-- recipe-reference:start -->";
export const endMarker = "<!-- recipe-reference:end -->";

interface Schema {
  $ref?: string;
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  enumDescriptions?: string[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  $defs?: Record<string, Schema>;
}

/** Placeholder names for map keys in the reference (`devices.<device>`). */
const mapKeyNames: Record<string, string> = {
  data: "dataset",
  devices: "device",
  inputs: "input",
  fixed_shapes: "dim",
  provider_options: "option",
  env: "variable",
};

interface Row {
  key: string;
  schema: Schema;
  required: boolean;
}

/** A `$ref`'s target merged with the referring node's own annotations (which win). */
function resolve(node: Schema, defs: Record<string, Schema>): Schema {
  if (!node.$ref) return node;
  const target = defs[node.$ref.replace(/^#\/\$defs\//, "")] ?? {};
  const { $ref: _ref, ...own } = node;
  return { ...resolve(target, defs), ...own };
}

function collectRows(node: Schema, prefix: string, defs: Record<string, Schema>, rows: Row[]): void {
  const schema = resolve(node, defs);
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    const resolved = resolve(child, defs);
    rows.push({ key, schema: resolved, required: schema.required?.includes(name) ?? false });
    collectRows(resolved, key, defs, rows);
    const entry = resolved.additionalProperties;
    if (entry && typeof entry === "object") {
      const entrySchema = resolve(entry, defs);
      if (entrySchema.properties) {
        const entryKey = `${key}.<${mapKeyNames[name] ?? "name"}>`;
        rows.push({ key: entryKey, schema: entrySchema, required: false });
        collectRows(entrySchema, entryKey, defs, rows);
      }
    }
  }
}

function typeOf(schema: Schema, defs: Record<string, Schema>, keyName?: string): string {
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(" | ");
  const entry = schema.additionalProperties;
  if (entry && typeof entry === "object") return `map: ${keyName ?? "name"} → ${typeOf(resolve(entry, defs), defs)}`;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes("array") && types.length > 1) return "scalar or nested list";
  if (types.includes("array")) {
    const items = schema.items ? resolve(schema.items, defs) : {};
    return `list of ${typeOf(items, defs)}`;
  }
  const names = types.map(
    (t) => ({ object: "map", string: "text", integer: "integer", number: "number", boolean: "boolean" })[t] ?? t,
  );
  let text = names.join(" or ") || "any";
  const bounds = [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : "",
    schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : "",
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : "",
  ].filter(Boolean);
  if (bounds.length && (types.includes("number") || types.includes("integer")) && types.length === 1)
    text += ` ${bounds.join(", ")}`;
  return text;
}

/** YAML for an example: lists and maps of plain values on one line (`shape: [1, 64]`), the rest as blocks. */
function toYaml(value: unknown, allFlow: boolean): string {
  const doc = new Document(value);
  visit(doc, {
    Seq: (_, node) => void (node.flow = true),
    Map: (_, node) =>
      void (node.flow =
        allFlow || node.items.every((pair) => isScalar(pair.value) || (!isMap(pair.value) && allScalars(pair.value)))),
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}

function allScalars(node: unknown): boolean {
  return (
    !!node && typeof node === "object" && "items" in node && (node.items as unknown[]).every((item) => isScalar(item))
  );
}

function inline(value: unknown): string {
  if (value === undefined) return "";
  return `\`${toYaml(value, true)}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function describe(schema: Schema, required: boolean): string {
  let text = schema.description ?? "";
  if (required) text = `**Required.** ${text}`;
  if (schema.enum && schema.enumDescriptions) {
    text += schema.enum.map((v, i) => `<br>\`${String(v)}\`: ${schema.enumDescriptions?.[i] ?? ""}`).join("");
  }
  return cell(text);
}

/** The Markdown reference (without the markers). */
export function generateRecipeReference(schemaText: string = readFileSync(schemaFile, "utf8")): string {
  const schema = JSON.parse(schemaText) as Schema;
  const defs = schema.$defs ?? {};
  const out: string[] = [
    "## Recipe reference",
    "",
    "<!-- Generated by scripts/gen-recipe-docs.ts from schemas/edge-recipe.schema.json; run `npm run gen` after changing the schema. -->",
    "",
    `${schema.description ?? ""} Check a recipe with \`edge validate RECIPE\`; editors show the same descriptions while you type.`,
    "",
  ];
  for (const [section, node] of Object.entries(schema.properties ?? {})) {
    const resolved = resolve(node, defs);
    out.push(`### \`${section}\``, "");
    out.push(`${schema.required?.includes(section) ? "**Required.** " : ""}${resolved.description ?? ""}`, "");
    const example = resolved.examples?.[0];
    if (example !== undefined) out.push("```yaml", toYaml({ [section]: example }, false), "```", "");
    const rows: Row[] = [];
    collectRows({ properties: { [section]: node } }, "", defs, rows);
    const keyRows = rows.slice(1);
    if (keyRows.length === 0) {
      out.push(
        `Type: ${typeOf(resolved, defs)}${resolved.default !== undefined ? `; default ${inline(resolved.default)}` : ""}.`,
        "",
      );
      continue;
    }
    out.push("| key | type | default | description | example |", "|---|---|---|---|---|");
    for (const row of keyRows) {
      out.push(
        `| \`${row.key}\` | ${cell(typeOf(row.schema, defs, mapKeyNames[row.key.split(".").pop() ?? ""]))} | ${cell(inline(row.schema.default))} | ${describe(row.schema, row.required)} | ${cell(inline(row.schema.examples?.[0]))} |`,
      );
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/** The README with the reference between the markers replaced. Throws when the markers are missing. */
export function updateReadme(readme: string, reference: string): string {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start === -1 || end === -1 || end < start)
    throw new Error(`README.md needs the markers ${startMarker} and ${endMarker}`);
  return `${readme.slice(0, start + startMarker.length)}\n${reference}\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = readFileSync(readmeFile, "utf8");
  const updated = updateReadme(readme, generateRecipeReference());
  if (updated !== readme) writeFileSync(readmeFile, updated);
  console.log(
    updated === readme ? "README.md recipe reference is up to date" : "wrote the recipe reference into README.md",
  );
}
