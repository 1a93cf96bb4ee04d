// A big recipe for bench:lsp and the fuzz test: many datasets, devices (ssh, adb, local), model inputs and a long
// `quantize.exclude.nodes` list, valid against the schema, with the positions the benchmark asks at (key and value
// completion, a device reference, node names) recorded while the lines are written.
import type { Position } from "vscode-languageserver-protocol";

export interface RecipeMarks {
  /** At the start of a key inside a block (completion offers the block's keys). */
  keyStarts: Position[];
  /** On blank, indented lines inside device blocks (completion offers a device's keys). */
  blankKeyLines: Position[];
  /** At the end of an enum value (`provider: cpu|`, `format: json|`, `runner: node|`). */
  valueEnds: Position[];
  /** At the end of `run.device: dev_0`. */
  deviceReference: Position;
  /** In the middle of node names in `quantize.exclude.nodes` (hover). */
  nodeNames: Position[];
  /** At the end of node names in `quantize.exclude.nodes` (completion of node names). */
  nodeNameEnds: Position[];
  /** Lines `    threads: N` whose number the benchmark edits. */
  threadLines: { line: number; valueStart: number; valueEnd: number }[];
  /** Top-level keys' lines, for symbols. */
  sections: Record<string, number>;
}

export interface GeneratedRecipe {
  text: string;
  lineCount: number;
  marks: RecipeMarks;
  /** Dataset files the recipe names, relative to its folder (the benchmark creates them). */
  dataFiles: string[];
}

export interface RecipeOptions {
  /** About how many lines (the result has at least this many). */
  lines?: number;
  /** Path of the model, as written in the recipe (relative to the recipe's folder). */
  modelPath: string;
  modelInputs: string[];
  /** Node names to list in quantize.exclude.nodes (the first few hundred are used). */
  nodeNames: string[];
}

const providers = ["cpu", "xnnpack", "nnapi", "qnn", "cuda"];

export function generateRecipe(options: RecipeOptions): GeneratedRecipe {
  const target = options.lines ?? 2000;
  // Two passes: the excluded-node list takes up whatever lines the other sections leave.
  const first = write(options, target, 10);
  return first.lineCount >= target ? first : write(options, target, 10 + target - first.lineCount);
}

function write(options: RecipeOptions, target: number, nodeTarget: number): GeneratedRecipe {
  const out: string[] = [];
  const marks: RecipeMarks = {
    keyStarts: [],
    blankKeyLines: [],
    valueEnds: [],
    deviceReference: { line: 0, character: 0 },
    nodeNames: [],
    nodeNameEnds: [],
    threadLines: [],
    sections: {},
  };
  const dataFiles: string[] = [];
  const push = (line: string) => out.push(line);
  const here = () => out.length; // the line the next push writes
  const section = (key: string) => {
    marks.sections[key] = here();
    push(`${key}:`);
  };

  push("# A generated recipe for bench:lsp (bench/lsp/recipe-generator.ts): big, and valid against the schema.");
  push("name: bench-big-recipe");
  section("model");
  push(`  path: ${options.modelPath}`);
  push("  inputs:");
  for (const input of options.modelInputs) push(`    ${input}: { shape: [1, 4], dtype: float32, range: [-1, 1] }`);

  // Sizes: about a quarter datasets, half devices, the rest excluded nodes.
  const datasetCount = Math.max(4, Math.floor(target / 4 / 7));
  const deviceCount = Math.max(4, Math.floor(target / 2 / 7));
  section("data");
  for (let i = 0; i < datasetCount; i++) {
    const file = `data/set_${i}.json`;
    dataFiles.push(file);
    push(`  set_${i}:`);
    marks.keyStarts.push({ line: here(), character: 4 });
    push(`    path: ${file}`);
    push("    format: json");
    marks.valueEnds.push({ line: here() - 1, character: "    format: json".length });
    push("    inputs:");
    push(`      ${options.modelInputs[i % options.modelInputs.length]}: x${i}`);
    push(`      ${options.modelInputs[(i + 1) % options.modelInputs.length]}: y${i}`);
    push(`  # dataset ${i} ends`);
  }

  const excluded = options.nodeNames.slice(0, Math.min(options.nodeNames.length, nodeTarget));
  section("quantize");
  push("  method: int8-static");
  push("  calibration: { data: set_0, method: minmax, samples: 64 }");
  push("  exclude:");
  push("    ops: [Gather]");
  push("    nodes:");
  for (const name of excluded) {
    const prefix = "      - ";
    marks.nodeNames.push({ line: here(), character: prefix.length + Math.floor(name.length / 2) });
    marks.nodeNameEnds.push({ line: here(), character: prefix.length + name.length });
    push(`${prefix}${name}`);
  }
  section("compile");
  push("  provider: cpu");
  push("  optimization: all");

  section("devices");
  for (let i = 0; i < deviceCount; i++) {
    push(`  dev_${i}:`);
    const kind = i % 3;
    if (kind === 0) {
      push("    ssh:");
      push(`      host: host-${i}.local`);
      push("      user: ubuntu");
      push("    runner: node");
    } else if (kind === 1) {
      push(`    adb: { serial: SERIAL${i} }`);
      push("    runner: perf-test");
      push("    workdir: /data/local/tmp/edge");
    } else {
      push("    local: {}");
      push('    env: { OMP_NUM_THREADS: "2" }');
      push("    runner: node");
    }
    marks.valueEnds.push({ line: here() - 1, character: out[here() - 1].length });
    const provider = providers[i % providers.length];
    marks.keyStarts.push({ line: here(), character: 4 });
    push(`    provider: ${kind === 1 ? "nnapi" : provider === "nnapi" || provider === "qnn" ? "cpu" : provider}`);
    marks.valueEnds.push({ line: here() - 1, character: out[here() - 1].length });
    const threads = `    threads: ${1 + (i % 8)}`;
    marks.threadLines.push({ line: here(), valueStart: "    threads: ".length, valueEnd: threads.length });
    push(threads);
    if (i % 10 === 5) {
      marks.blankKeyLines.push({ line: here(), character: 4 });
      push("    ");
    }
  }
  section("run");
  push("  device: dev_0");
  marks.deviceReference = { line: here() - 1, character: "  device: dev_0".length };
  push("  warmup: 5");
  push("  iterations: 50");
  push("  data: set_1");
  section("budgets");
  push("  latency_p95_ms: 20");
  push("  size_mb: 5");
  push("");
  return { text: out.join("\n"), lineCount: out.length, marks, dataFiles };
}
