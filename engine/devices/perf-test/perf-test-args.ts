// The argument array of one `onnxruntime_perf_test` run, made from the engine's RunPlan: the runner used on devices
// where the engine's own node runner cannot start (recipe `devices.X.runner: perf-test`). Pure: the caller pushes
// the binary and its libonnxruntime.so, runs `[binaryPath, ...args]` through the transport (quoted there) and
// gives the output to parse-perf-test.ts.
//
// The flags, as read in ONNX Runtime's onnxruntime/test/perftest/ (command_args_parser.cc and README.md) at three
// points: the 2019 README's list, the getopt parser of 2023 (commit 8f117002) and the Abseil-flags parser of the
// newest sources (2025). Both parsers take one-dash short flags with the value as the next word and the model path
// after the options, so one argument array fits every version that has the flags it uses:
//   -m times -r N   fixed repetitions (all three; -r also selects "times" in the 2023 and newest parsers)
//   -x N / -y N     intra-op / inter-op threads (all three; 0 = onnxruntime's default, so only > 0 is passed)
//   -e NAME         execution provider (all three; a build accepts the providers it was built with. nnapi,
//                   xnnpack and qnn are in the 2023 list, webgpu and nvtensorrtrtx only in the newest)
//   -o 0|1|2|99     graph optimization level (all three; the README says the default is 1, the parsers 99, so it is
//                   always passed)
//   -P, -M, -A      parallel executor, no memory pattern, no CPU arena (all three)
//   -p PREFIX       profiling: onnxruntime writes PREFIX_<YYYY-MM-DD_HH-MM-SS>.json (see perf-test-result.ts)
//   -s              print the latency statistics (all three; the default when no result file is named since 2023)
//   -I              generate the model's inputs (2023 and newest; not in the 2019 list). Without it the tool wants
//                   test_data_set_* folders beside the model
//   -f NAME:VALUE   free dimension override by name, once per dimension (2023 and newest)
//   -S SEED         seed of the generated inputs (2023 and newest; passed only when asked for)
//   -i "k|v k|v"    provider options (2023 and newest)
// Warm-up: no flag in any version. The tool always runs exactly one untimed inference before the measured ones
// (one per shape group with --data_shape in the newest sources) and, since about 2022, prints its time ("First
// inference time cost"). A plan's `warmup` other than 1 is therefore not honoured, and a note says so.
import { EdgeError } from "../../errors";
import type { Optimization, RunPlan, SessionPlan } from "../../run/plan";
import { planDefaults } from "../../run/plan";

/** The provider names `-e` takes (a given build accepts those it was built with; `cpu` is always there). */
export const PERF_TEST_PROVIDERS = [
  "cpu",
  "nnapi",
  "qnn",
  "xnnpack",
  "coreml",
  "acl",
  "armnn",
  "snpe",
  "openvino",
  "dnnl",
  "cuda",
  "tensorrt",
  "nvtensorrtrtx",
  "rocm",
  "migraphx",
  "dml",
  "vitisai",
  "vsinpu",
  "webgpu",
] as const;

export type PerfTestProvider = (typeof PERF_TEST_PROVIDERS)[number];

/** Where things are on the device, and what the plan cannot say. */
export interface PerfTestTarget {
  /** The model as the device sees it (pushed there; the binary is run with its own working directory). */
  modelPath: string;
  /** Default "cpu". */
  provider?: PerfTestProvider;
  /** Provider options (`-i "key|value …"`); keys and values may not contain spaces or `|`. */
  providerOptions?: Record<string, string>;
  /** Profile prefix on the device (`-p`); required when the plan asks for a profile. */
  profilePrefix?: string;
  /** A result file on the device (second positional argument): one CSV line per measured iteration. */
  resultFile?: string;
  /** Seed for the generated inputs (`-S`, since ~1.8); absent = the tool's own (unseeded) random data. */
  inputSeed?: number;
  /** Generate the inputs (`-I`); default true. False needs test_data_set_* folders beside the model. */
  generateInputs?: boolean;
  /** Device name for errors. */
  deviceName?: string;
}

export interface PerfTestInvocation {
  /** The arguments after the binary's path. */
  args: string[];
  /** What the plan asked for that the tool cannot do, in words for the report. */
  notes: string[];
  /** Untimed inferences the tool will run: always 1. */
  warmupRuns: number;
}

const optimizationLevel: Record<Optimization, string> = { disabled: "0", basic: "1", extended: "2", all: "99" };

/** The arguments for `onnxruntime_perf_test` running `plan` on `target`. */
export function perfTestArgs(plan: RunPlan, target: PerfTestTarget): PerfTestInvocation {
  const where = { device: target.deviceName };
  const args: string[] = [];
  const notes: string[] = [];
  const iterations = plan.iterations ?? planDefaults.iterations;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new EdgeError("recipe/invalid", `perf-test needs at least one measured iteration (got ${iterations})`, {
      where,
    });
  }
  args.push("-m", "times", "-r", String(iterations));

  const provider = target.provider ?? "cpu";
  if (!(PERF_TEST_PROVIDERS as readonly string[]).includes(provider)) {
    throw new EdgeError("recipe/invalid", `onnxruntime_perf_test has no execution provider "${provider}"`, {
      where,
      hint: `one of ${PERF_TEST_PROVIDERS.join(", ")}`,
    });
  }
  args.push("-e", provider);
  if (target.providerOptions && Object.keys(target.providerOptions).length > 0) {
    args.push("-i", providerOptionString(target.providerOptions, target.deviceName));
  }

  args.push(...sessionArgs(plan.session ?? {}, notes));

  if (target.generateInputs ?? true) args.push("-I");
  for (const [name, value] of Object.entries(plan.dims ?? {})) {
    if (!Number.isInteger(value) || value < 1 || /[\s:]/.test(name) || name === "") {
      throw new EdgeError(
        "recipe/invalid",
        `dimension ${JSON.stringify(name)}: ${value} cannot be given to perf-test`,
        {
          where,
          hint: "names without spaces or ':', sizes of at least 1",
        },
      );
    }
    args.push("-f", `${name}:${value}`);
  }
  if (target.inputSeed !== undefined) args.push("-S", String(Math.trunc(target.inputSeed)));

  if (plan.profile) {
    if (!target.profilePrefix) {
      throw new EdgeError("internal/bug", "perf-test profiling needs a profile prefix on the device", { where });
    }
    args.push("-p", target.profilePrefix);
  }
  args.push("-s");

  args.push(positional(target.modelPath));
  if (target.resultFile) args.push(positional(target.resultFile));

  const warmup = plan.warmup ?? planDefaults.warmup;
  if (warmup !== 1) {
    notes.push(
      `onnxruntime_perf_test always runs exactly one untimed warm-up inference; the plan's ${warmup} was not honoured`,
    );
  }
  if (plan.inputs && Object.keys(plan.inputs).length > 0) {
    notes.push(
      "onnxruntime_perf_test generates random inputs (-I, free dimensions from -f, else 1); per-input shapes, types and fills were not used",
    );
  }
  if (plan.samples && plan.samples.length > 0) {
    notes.push("onnxruntime_perf_test cannot feed dataset samples; the inputs were generated");
  }
  return { args, notes, warmupRuns: 1 };
}

function sessionArgs(session: SessionPlan, notes: string[]): string[] {
  const out: string[] = [];
  const intra = session.intraOpThreads ?? 0;
  const inter = session.interOpThreads ?? 0;
  if (intra > 0) out.push("-x", String(intra));
  if (inter > 0) out.push("-y", String(inter));
  out.push("-o", optimizationLevel[session.optimization ?? planDefaults.optimization]);
  if ((session.executionMode ?? planDefaults.executionMode) === "parallel") out.push("-P");
  else if (inter > 0) notes.push("inter-op threads only matter with the parallel executor; the plan runs sequentially");
  if (session.memoryPattern === false) out.push("-M");
  if (session.cpuArena === false) out.push("-A");
  return out;
}

/** `key|value key|value`: the tool splits on spaces and `|`, with no quoting, so neither may appear inside. */
function providerOptionString(options: Record<string, string>, deviceName: string | undefined): string {
  return Object.entries(options)
    .map(([key, value]) => {
      if (key === "" || /[\s|]/.test(key) || /[\s|]/.test(value)) {
        throw new EdgeError(
          "recipe/invalid",
          `provider option ${JSON.stringify(key)}=${JSON.stringify(value)} cannot be given to perf-test`,
          { where: { device: deviceName }, hint: "perf-test's -i splits on spaces and '|': neither may appear inside" },
        );
      }
      return `${key}|${value}`;
    })
    .join(" ");
}

/** A path as a positional argument: one starting with `-` would be read as a flag. */
function positional(path: string): string {
  if (path === "") throw new EdgeError("internal/bug", "an empty path for onnxruntime_perf_test");
  return path.startsWith("-") ? `./${path}` : path;
}
