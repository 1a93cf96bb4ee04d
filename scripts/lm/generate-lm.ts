// CLI: generates a decoder-only LM of the Hugging Face export layout with random weights, for benchmarks.
// node --import tsx scripts/lm/generate-lm.ts --layers L --hidden H --heads N --vocab V --out PATH
//   [--mlp M] [--context C] [--positions learned|sinusoidal] [--seed S] [--external-data | --inline]
import { parseArgs } from "node:util";
import { EdgeError } from "../../engine/errors";
import { buildDecoderLm, parameterCount } from "./decoder-graph";
import { type DecoderLmConfig } from "./decoder-config";
import { randomDecoderLm } from "./random-weights";

const USAGE =
  "usage: generate-lm.ts --layers L --hidden H --heads N --vocab V --out PATH [--mlp M] [--context C] [--positions learned|sinusoidal] [--seed S] [--external-data | --inline]";

function integer(values: Record<string, unknown>, key: string, required: boolean): number | undefined {
  const raw = values[key];
  if (raw === undefined) {
    if (required) throw new EdgeError("cli/usage", `--${key} is missing`, {}, USAGE);
    return undefined;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new EdgeError("cli/usage", `--${key} must be a non-negative integer, not ${String(raw)}`, {}, USAGE);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      layers: { type: "string" },
      hidden: { type: "string" },
      heads: { type: "string" },
      vocab: { type: "string" },
      mlp: { type: "string" },
      context: { type: "string" },
      positions: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      "external-data": { type: "boolean" },
      inline: { type: "boolean" },
    },
  });
  if (!values.out) throw new EdgeError("cli/usage", "--out is missing", {}, USAGE);
  if (values.positions !== undefined && values.positions !== "learned" && values.positions !== "sinusoidal") {
    throw new EdgeError("cli/usage", `--positions must be learned or sinusoidal, not ${values.positions}`, {}, USAGE);
  }
  const config: DecoderLmConfig = {
    layers: integer(values, "layers", true)!,
    hidden: integer(values, "hidden", true)!,
    heads: integer(values, "heads", true)!,
    vocab: integer(values, "vocab", true)!,
    mlp: integer(values, "mlp", false),
    context: integer(values, "context", false),
    positions: values.positions as DecoderLmConfig["positions"],
  };
  const externalData = values["external-data"] ? true : values.inline ? false : undefined;
  const started = Date.now();
  console.log(`generating ${parameterCount(config).toLocaleString("en")} parameters → ${values.out}`);
  const result = await buildDecoderLm(
    config,
    randomDecoderLm(config, integer(values, "seed", false) ?? 1, { reuseBuffer: true }),
    values.out,
    { externalData },
  );
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `wrote ${result.modelPath} (${result.modelBytes} bytes)` +
      (result.dataPath ? ` and ${result.dataPath} (${result.dataBytes} bytes)` : "") +
      ` in ${seconds.toFixed(1)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  console.log(JSON.stringify({ ...result.config, parameters: result.parameters }));
}

main().catch((e: unknown) => {
  console.error(e instanceof EdgeError ? `${e.code}: ${e.message}${e.hint ? `\n${e.hint}` : ""}` : e);
  process.exit(1);
});
