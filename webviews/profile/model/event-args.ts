// What the details panel shows of one event's `args` (pure), read from the event's text the host sends back
// (EventTextRequest): onnxruntime's op, provider, input and output shapes with their element types, and the sizes
// in bytes; other args as short text.
import { formatBytes } from "../../../common/units";

const SIZE_KEYS: [string, string][] = [
  ["activation_size", "activations"],
  ["parameter_size", "parameters"],
  ["output_size", "output"],
];
const SKIPPED = new Set(["op_name", "provider", "node_index", "thread_scheduling_stats"]);

/** `[{"float":[1,3,48,192]},{"float":[16]}]` → "float[1,3,48,192], float[16]". */
export function formatTypeShapes(value: unknown): string {
  if (!Array.isArray(value)) return String(value);
  return value
    .map((x) => {
      if (typeof x !== "object" || x === null) return String(x);
      return Object.entries(x as Record<string, unknown>)
        .map(([type, shape]) => `${type}[${Array.isArray(shape) ? shape.join(",") : String(shape)}]`)
        .join(" ");
    })
    .join(", ");
}

/** The rows to show for an event's text (one JSON object); undefined when the text is not one. */
export function argRows(eventText: string): [string, string][] | undefined {
  let event: unknown;
  try {
    event = JSON.parse(eventText);
  } catch {
    return undefined;
  }
  if (typeof event !== "object" || event === null) return undefined;
  const args = (event as { args?: unknown }).args;
  if (typeof args !== "object" || args === null) return [];
  const a = args as Record<string, unknown>;
  const rows: [string, string][] = [];
  if (a.input_type_shape !== undefined) rows.push(["inputs", formatTypeShapes(a.input_type_shape)]);
  if (a.output_type_shape !== undefined) rows.push(["outputs", formatTypeShapes(a.output_type_shape)]);
  for (const [key, label] of SIZE_KEYS) {
    const n = Number(a[key]);
    if (a[key] !== undefined && Number.isFinite(n)) rows.push([label, formatBytes(n)]);
  }
  for (const [key, value] of Object.entries(a)) {
    if (SKIPPED.has(key) || key.endsWith("_type_shape") || SIZE_KEYS.some(([k]) => k === key)) continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    rows.push([key, text.length > 120 ? `${text.slice(0, 119)}…` : text]);
  }
  return rows;
}
