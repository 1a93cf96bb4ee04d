// `edge evaluate ORIGINAL OPTIMIZED [--data PATH [--format npy|json|text] [--tokenizer TOKENIZER.json]
// [--sequence-length N]] [--samples N] [--input-shape NAME=D1,D2,...]... [--output NAME]... [--iterations N] [--json]`:
// runs both models on the same inputs and prints them side by side (size; perplexity for a language model on text or
// tokens; per-output error; latency with --iterations), or the JSON result.
import { resolve } from "node:path";
import { EdgeError } from "../errors";
import type { DatasetFormat } from "../data/dataset";
import type { InputSpec } from "../run/plan";
import { evaluateModels } from "../evaluate/evaluate-models";
import { formatEvaluation } from "../evaluate/format-evaluation";
import { parseArgs } from "./args";
import type { CliIO } from "./io";

export const EVALUATE_USAGE =
  "edge evaluate ORIGINAL OPTIMIZED [--data PATH [--format npy|json|text] [--tokenizer TOKENIZER.json] [--sequence-length N]] [--samples N] [--input-shape NAME=D1,D2,...]... [--output NAME]... [--iterations N] [--json]";

const FORMATS: readonly DatasetFormat[] = ["npy", "json", "text"];

function positiveInt(value: unknown, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n < min)
    throw new EdgeError("cli/usage", `edge evaluate: --${flag} takes an integer ≥ ${min}, not "${String(value)}"`);
  return n;
}

/** `NAME=D1,D2,...` specs as synthetic input shapes. */
function inputShapes(specs: string[]): Record<string, InputSpec> {
  const inputs: Record<string, InputSpec> = {};
  for (const spec of specs) {
    const m = /^(.+)=(\d+(?:,\d+)*)?$/.exec(spec);
    if (!m)
      throw new EdgeError(
        "cli/usage",
        `edge evaluate: --input-shape "${spec}" is not NAME=D1,D2,...`,
        {},
        "for example --input-shape x=1,3,224,224",
      );
    inputs[m[1]] = { shape: m[2] ? m[2].split(",").map(Number) : [] };
  }
  return inputs;
}

export async function evaluateCommand(argv: string[], io: CliIO): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv,
    {
      data: "string",
      format: "string",
      tokenizer: "string",
      "sequence-length": "string",
      samples: "string",
      "input-shape": "string[]",
      output: "string[]",
      iterations: "string",
      json: "boolean",
    },
    "evaluate",
  );
  if (positionals.length !== 2) {
    throw new EdgeError(
      "cli/usage",
      `edge evaluate: expected ORIGINAL and OPTIMIZED models, got ${positionals.length} argument(s)`,
      {},
      `usage: ${EVALUATE_USAGE}`,
    );
  }
  const format = flags.format as string | undefined;
  if (format !== undefined && !FORMATS.includes(format as DatasetFormat)) {
    throw new EdgeError("cli/usage", `edge evaluate: --format takes npy, json or text, not "${format}"`);
  }
  const dataPath = flags.data as string | undefined;
  for (const flag of ["format", "tokenizer", "sequence-length"]) {
    if (flags[flag] !== undefined && dataPath === undefined)
      throw new EdgeError("cli/usage", `edge evaluate: --${flag} goes with --data`);
  }
  const at = (p: string) => resolve(io.cwd, p);
  const result = await evaluateModels({
    original: at(positionals[0]),
    optimized: at(positionals[1]),
    data: dataPath
      ? {
          path: at(dataPath),
          format: format as DatasetFormat | undefined,
          tokenizer: flags.tokenizer ? at(flags.tokenizer as string) : undefined,
          sequenceLength: positiveInt(flags["sequence-length"], "sequence-length", 2),
        }
      : undefined,
    maxSamples: positiveInt(flags.samples, "samples", 1),
    outputs: flags.output as string[] | undefined,
    synthetic: flags["input-shape"] ? { inputs: inputShapes(flags["input-shape"] as string[]) } : undefined,
    latency:
      flags.iterations !== undefined ? { iterations: positiveInt(flags.iterations, "iterations", 1)! } : undefined,
  });
  io.stdout(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatEvaluation(result));
  return 0;
}
