// `edge quantize MODEL --method M -o OUT [options]`: one quantization method on one model, the same code the
// recipe's `quantize:` step runs. Prints what changed (nodes, weights, size) or, with --json, the QuantizeResult.
import { resolve } from "node:path";
import { formatBytes, formatRatio, formatSeconds } from "../../common/units";
import { EdgeError } from "../errors";
import { readDataset } from "../data/dataset";
import { quantizeModel } from "../quantize/quantize-model";
import {
  type CalibrationMethod,
  type QuantMethod,
  quantMethods,
  type QuantizeOptions,
  type QuantizeResult,
} from "../quantize/types";
import { parseArgs } from "./args";
import type { CliIO } from "./io";

export const QUANTIZE_USAGE =
  "edge quantize MODEL --method int8-dynamic|int8-static|int4-weight-only|fp16 -o OUT [--block-size N] [--asymmetric] [--per-tensor] " +
  "[--accuracy-level N] [--weight-type int8|uint8] [--activation-type uint8|int8|uint16|int16] [--symmetric-activations] [--target-cosine C] [--calibration DATA [--calibration-method minmax|percentile|entropy] [--samples N]] " +
  "[--exclude-op OP]... [--exclude-node NAME]... [--include-op OP]... [--include-node NAME]... [--fp16-io] [--block-op OP]... [--embedding] [--json]";

const flagSpec = {
  method: "string",
  out: "string",
  "block-size": "string",
  asymmetric: "boolean",
  "per-tensor": "boolean",
  "reduce-range": "boolean",
  "accuracy-level": "string",
  "weight-type": "string",
  "activation-type": "string",
  "symmetric-activations": "boolean",
  "target-cosine": "string",
  calibration: "string",
  "calibration-method": "string",
  samples: "string",
  "exclude-op": "string[]",
  "exclude-node": "string[]",
  "include-op": "string[]",
  "include-node": "string[]",
  "fp16-io": "boolean",
  "block-op": "string[]",
  embedding: "boolean",
  json: "boolean",
} as const;

function usageError(message: string): EdgeError {
  return new EdgeError("cli/usage", `edge quantize: ${message}`, {}, `usage: ${QUANTIZE_USAGE}`);
}

function integer(flags: Record<string, unknown>, name: string): number | undefined {
  const text = flags[name] as string | undefined;
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw usageError(`--${name} takes a whole number, not "${text}"`);
  return Number(text);
}

function oneOf<T extends string>(flags: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const value = flags[name] as string | undefined;
  if (value !== undefined && !allowed.includes(value as T))
    throw usageError(`--${name} takes one of ${allowed.join(", ")}, not "${value}"`);
  return value as T | undefined;
}

export async function quantizeCommand(argv: string[], io: CliIO): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv.map((a) => (a === "-o" ? "--out" : a)),
    flagSpec,
    "quantize",
  );
  if (positionals.length !== 1) throw usageError(`expected one MODEL, got ${positionals.length}`);
  const method = oneOf<QuantMethod>(flags, "method", quantMethods);
  if (!method) throw usageError("--method is required");
  if (!flags.out) throw usageError("-o OUT is required (the source model is never overwritten)");
  const options: QuantizeOptions = {
    method,
    blockSize: integer(flags, "block-size"),
    symmetric: flags.asymmetric ? false : undefined,
    perChannel: flags["per-tensor"] ? false : undefined,
    reduceRange: flags["reduce-range"] ? true : undefined,
    accuracyLevel: integer(flags, "accuracy-level"),
    weightType: oneOf(flags, "weight-type", ["int8", "uint8"] as const),
    activationType: oneOf(flags, "activation-type", ["uint8", "int8", "uint16", "int16"] as const),
    symmetricActivations: flags["symmetric-activations"] ? true : undefined,
    targetCosine: flags["target-cosine"] === undefined ? undefined : Number(flags["target-cosine"]),
    keepIoTypes: flags["fp16-io"] ? false : undefined,
    quantizeEmbedding: flags.embedding ? true : undefined,
    fp16BlockOps: flags["block-op"] as string[] | undefined,
    exclude:
      flags["exclude-op"] || flags["exclude-node"]
        ? { ops: flags["exclude-op"] as string[] | undefined, nodes: flags["exclude-node"] as string[] | undefined }
        : undefined,
    include:
      flags["include-op"] || flags["include-node"]
        ? { ops: flags["include-op"] as string[] | undefined, nodes: flags["include-node"] as string[] | undefined }
        : undefined,
  };
  if (options.accuracyLevel !== undefined && options.accuracyLevel > 4) throw usageError("--accuracy-level is 0 to 4");
  if (options.targetCosine !== undefined && !(options.targetCosine >= 0 && options.targetCosine < 1))
    throw usageError(`--target-cosine takes a number from 0 (off) up to 1, not "${String(flags["target-cosine"])}"`);
  if (flags.calibration) {
    const samples = await readDataset(resolve(io.cwd, flags.calibration as string), {
      maxSamples: integer(flags, "samples"),
    });
    options.calibration = {
      method: oneOf<CalibrationMethod>(flags, "calibration-method", ["minmax", "percentile", "entropy"]) ?? "minmax",
      samples,
    };
  } else if (method === "int8-static") {
    throw usageError("int8-static needs calibration data: --calibration DATA (npy file or folder, or json)");
  }
  const source = resolve(io.cwd, positionals[0]);
  const out = resolve(io.cwd, flags.out as string);
  let lastPercent = -1;
  const result = await quantizeModel(source, out, options, {
    onProgress: (p) => {
      const percent = Math.floor((100 * p.done) / Math.max(1, p.total));
      if (!flags.json && percent >= lastPercent + 10) {
        lastPercent = percent;
        io.stderr(`quantize: ${percent}% (${p.done}/${p.total})\n`);
      }
    },
  });
  io.stdout(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
  return 0;
}

export function formatResult(r: QuantizeResult): string {
  const lines = [
    `${r.method}: ${r.quantized.length} node${r.quantized.length === 1 ? "" : "s"} quantized (${r.weights} weight${r.weights === 1 ? "" : "s"}) in ${formatSeconds(r.durationMs)}`,
    `size: ${formatBytes(r.sourceBytes)} → ${formatBytes(r.outputBytes)} (${formatRatio(r.outputBytes / r.sourceBytes)})`,
    `wrote ${r.output}${r.dataPath ? ` and ${r.dataPath}` : ""}`,
  ];
  if (r.opset.to !== r.opset.from) lines.push(`opset: ${r.opset.from} → ${r.opset.to}`);
  const byOp = new Map<string, number>();
  for (const q of r.quantized) byOp.set(q.opType, (byOp.get(q.opType) ?? 0) + 1);
  lines.push(`by op: ${[...byOp].map(([op, n]) => `${op} ${n}`).join(", ")}`);
  if (r.skipped.length) {
    lines.push(`left in float: ${r.skipped.length} node${r.skipped.length === 1 ? "" : "s"}`);
    for (const s of r.skipped.slice(0, 10)) lines.push(`  ${s.node} (${s.opType}): ${s.reason}`);
    if (r.skipped.length > 10) lines.push(`  … and ${r.skipped.length - 10} more (--json lists them all)`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
}
