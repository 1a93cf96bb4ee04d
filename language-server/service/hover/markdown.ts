// The markdown of hovers about the world: a model's summary, an op type's count, a node with its inputs and
// outputs and their shapes, a device and a dataset as the recipe defines them.
import { formatBytes, formatCount as count, formatPercent } from "../../../common/units";
import type { ModelSummaryResult } from "../../world/world-host";
import { type ModelIndex, modelIndex } from "../../world/model-index";
import { shapeText } from "../recipe/model";

/** 2,690,312 → "2.69 M". */
function parameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** Most op types listed in a model's summary. */
const TOP_OPS = 8;
/** Most inputs or outputs listed. */
const MAX_SIGNATURES = 12;

export function modelMarkdown(result: ModelSummaryResult, shownPath: string): string {
  if (!result.ok) {
    return [
      `**Cannot read the model** ${code(shownPath)}`,
      result.error.message,
      result.error.hint ? `Hint: ${result.error.hint}` : "",
    ]
      .filter(Boolean)
      .join("\n\n");
  }
  const s = result.summary;
  const index = modelIndex(s);
  const opsets = s.opsetImports.map((o) => `${o.domain || "ai.onnx"} ${o.version}`).join(", ");
  const ops = index.opsByCount
    .slice(0, TOP_OPS)
    .map(([op, n]) => `${op} ×${count(n)}`)
    .join(", ");
  const signatures = (list: typeof s.inputs): string =>
    list.length === 0
      ? "(none)"
      : list
          .slice(0, MAX_SIGNATURES)
          .map((t) => `- ${code(t.name)}: ${shapeText(t)}`)
          .join("\n") + (list.length > MAX_SIGNATURES ? `\n- … and ${list.length - MAX_SIGNATURES} more` : "");
  return [
    `**${index.fileName}**: ${formatBytes(s.sizeBytes)}, ${parameters(s.parameterCount)} parameters (${formatBytes(s.parameterBytes)})`,
    [
      `IR ${s.irVersion} · opset ${opsets || "none"}${s.producer ? ` · producer ${s.producer}` : ""}`,
      `${count(s.nodeCount)} nodes, ${index.opsByCount.length} op types${ops ? `: ${ops}${index.opsByCount.length > TOP_OPS ? ", …" : ""}` : ""}`,
    ].join("  \n"),
    `**Inputs**\n${signatures(s.inputs)}`,
    `**Outputs**\n${signatures(s.outputs)}`,
  ].join("\n\n");
}

/** A command link the editor turns into "open this model in the graph viewer" (the client trusts this one command). */
export function openGraphLink(absolutePath: string): string {
  return `[Open graph](command:edge.openModelGraph?${encodeURIComponent(JSON.stringify([absolutePath]))} "Open the model's graph")`;
}

export function opTypeMarkdown(op: string, index: ModelIndex): string {
  const n = index.summary.opCounts[op];
  if (!n) return `${code(op)} does not occur in ${code(index.fileName)}.`;
  const share = formatPercent(n / Math.max(1, index.summary.nodeCount));
  const rankOf = index.opsByCount.findIndex(([o]) => o === op) + 1;
  return `**${op}**: ${count(n)} ${n === 1 ? "node" : "nodes"} in ${code(index.fileName)} (${share} of ${count(index.summary.nodeCount)}; #${rankOf} of ${index.opsByCount.length} op types)`;
}

/** Most nodes of the same name described (names repeat across subgraphs). */
const MAX_SAME_NAME = 3;

export function nodeMarkdown(name: string, index: ModelIndex): string {
  const nodes = index.nodesByName.get(name);
  if (!nodes || nodes.length === 0) return `No node named ${code(name)} in ${code(index.fileName)}.`;
  const shapes = index.summary.valueShapes;
  const value = (v: string): string =>
    v === "" ? "(none)" : `${code(v)}: ${shapes[v] ? shapeText(shapes[v]) : "shape unknown"}`;
  const parts = nodes.slice(0, MAX_SAME_NAME).map((node) => {
    const op = node.domain && node.domain !== "ai.onnx" ? `${node.domain}.${node.opType}` : node.opType;
    return [
      `**${code(name)}**: ${op}`,
      `Inputs:\n${node.inputs.map((v) => `- ${value(v)}`).join("\n") || "(none)"}`,
      `Outputs:\n${node.outputs.map((v) => `- ${value(v)}`).join("\n") || "(none)"}`,
    ].join("\n\n");
  });
  if (nodes.length > MAX_SAME_NAME)
    parts.push(`… and ${nodes.length - MAX_SAME_NAME} more nodes named ${code(name)} (in subgraphs)`);
  return parts.join("\n\n---\n\n");
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === "string" || typeof value === "number" ? String(value) : undefined;

/** A device entry of the recipe (undefined when not defined; `local` then means this machine). */
export function deviceMarkdown(name: string, entry: unknown, implicitLocal: boolean): string {
  const device = record(entry);
  if (!device)
    return implicitLocal
      ? `**${code(name)}**: this machine (needs no entry in \`devices\`)`
      : `No device ${code(name)} in \`devices\`.`;
  const lines: string[] = [];
  const ssh = record(device.ssh);
  const adb = record(device.adb);
  if (ssh) {
    const user = text(ssh.user);
    const port = text(ssh.port);
    lines.push(
      `SSH to ${code(`${user ? `${user}@` : ""}${text(ssh.host) ?? "?"}${port ? `:${port}` : ""}`)}${text(ssh.proxy_jump) ? ` via ${code(text(ssh.proxy_jump)!)}` : ""}`,
    );
  } else if (adb)
    lines.push(`adb device ${adb.serial !== undefined ? code(text(adb.serial) ?? "?") : "(the only one attached)"}`);
  else if (device.local !== undefined) lines.push("this machine");
  else lines.push("no transport (`local`, `ssh` or `adb`)");
  for (const key of ["runner", "provider", "threads", "workdir"])
    if (text(device[key])) lines.push(`${key}: ${code(text(device[key])!)}`);
  return `**device ${code(name)}**: ${lines.join("  \n")}`;
}

/** A dataset entry of the recipe. */
export function datasetMarkdown(name: string, entry: unknown): string {
  const dataset = record(entry);
  if (!dataset) return `No dataset ${code(name)} in \`data\`.`;
  const lines = [`path: ${code(text(dataset.path) ?? "?")}`, `format: ${code(text(dataset.format) ?? "?")}`];
  if (text(dataset.tokenizer)) lines.push(`tokenizer: ${code(text(dataset.tokenizer)!)}`);
  if (text(dataset.sequence_length)) lines.push(`sequence length: ${text(dataset.sequence_length)}`);
  return `**dataset ${code(name)}**  \n${lines.join("  \n")}`;
}
