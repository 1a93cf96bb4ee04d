// Turns a valid recipe into what a runner takes: which device, and a RunPlan for it. Pure: dataset reading happens
// in the caller, and reaching a device (ssh, adb) is engine/devices' business; the plan is the same for every
// device and runner (its paths are the host's; the device run rewrites them). A `runner: perf-test` device takes any
// provider: the user's onnxruntime_perf_test build decides.
import { EdgeError, isEdgeError } from "../errors";
import type { EdgeRecipe, Device } from "../recipe";
import { defaultDeviceName, implicitLocalDevice, promptLengths } from "../recipe";
import type { RecipePaths } from "../recipe";
import type { InputSpec, RunPlan } from "../run/plan";
import type { Dtype } from "../data/typed-tensor";

export interface DeviceChoice {
  name: string;
  device: Device;
  kind: "local" | "ssh" | "adb";
}

/** The device to run on: `--device`, else `run.device`, else the recipe's default; `local` is always this machine. */
export function chooseDevice(recipe: EdgeRecipe, override: string | undefined, file: string): DeviceChoice {
  const name = override ?? defaultDeviceName(recipe);
  if (name === undefined) {
    throw new EdgeError(
      "device/unknown",
      "the recipe defines several devices and says not which to run on",
      { file },
      `set \`run.device\` or pass \`--device NAME\` (one of: ${Object.keys(recipe.devices ?? {}).join(", ")})`,
    );
  }
  const device = recipe.devices?.[name] ?? (name === implicitLocalDevice ? { local: {} } : adHocDevice(name));
  if (!device) {
    const known = [
      ...Object.keys(recipe.devices ?? {}),
      ...(recipe.devices?.[implicitLocalDevice] ? [] : [implicitLocalDevice]),
    ];
    throw new EdgeError(
      "device/unknown",
      `no device named "${name}" in the recipe`,
      { file, device: name },
      `devices: ${known.join(", ")}; or an attached phone as \`adb:SERIAL\`, a host as \`ssh:[USER@]HOST[:PORT]\``,
    );
  }
  const kind = device.local ? "local" : device.ssh ? "ssh" : "adb";
  return { name, device, kind };
}

/**
 * A device named on the command line that the recipe does not define: `adb:SERIAL` (an attached phone), or
 * `ssh:[USER@]HOST[:PORT]` (a host, or an alias of ~/.ssh/config). The editor deploys to a phone this way.
 */
export function adHocDevice(name: string): Device | undefined {
  const adb = /^adb:(.+)$/.exec(name);
  if (adb) return { adb: { serial: adb[1] } };
  const ssh = /^ssh:(?:([^@]+)@)?([^@:]+|\[[^\]]+\])(?::(\d{1,5}))?$/.exec(name);
  if (!ssh) return undefined;
  const port = ssh[3] ? Number(ssh[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const host = ssh[2].replace(/^\[(.*)\]$/, "$1");
  return { ssh: { host, ...(ssh[1] ? { user: ssh[1] } : {}), ...(port ? { port } : {}) } };
}

/** Execution providers onnxruntime-node (here, and in the runner pushed to devices) can run a session with. */
const localProviders = new Set(["cpu"]);

export function planFromRecipe(
  recipe: EdgeRecipe,
  paths: RecipePaths,
  choice: DeviceChoice,
  outDir: string,
  file: string,
): RunPlan {
  const provider = choice.device.provider ?? recipe.compile?.provider ?? "cpu";
  // onnxruntime_perf_test: the user's build decides which providers it has (it says so when it lacks one).
  if (choice.device.runner !== "perf-test" && !localProviders.has(provider)) {
    const where = choice.kind === "local" ? "this machine's onnxruntime-node" : `the node runner on "${choice.name}"`;
    throw new EdgeError(
      "device/unsupported",
      `the execution provider "${provider}" is not available in ${where} (it has: ${[...localProviders].join(", ")})`,
      { file, device: choice.name },
      choice.kind === "local"
        ? "use `provider: cpu` for a local run; other providers run on their devices"
        : "use `provider: cpu` with the node runner",
    );
  }
  const run = recipe.run ?? {};
  if (run.generate && choice.device.runner === "perf-test")
    throw new EdgeError(
      "device/unsupported",
      "`run.generate` needs the node runner: onnxruntime_perf_test runs single forward passes",
      { file, device: choice.name },
      "use `runner: node` on this device for a generation benchmark",
    );
  const inputs: Record<string, InputSpec> = {};
  for (const [name, spec] of Object.entries(recipe.model.inputs ?? {})) {
    inputs[name] = {
      shape: spec.shape,
      dtype: spec.dtype as Dtype | undefined,
      fill: spec.fill,
      range: spec.range as [number, number] | undefined,
      mean: spec.mean,
      std: spec.std,
      value: spec.value as InputSpec["value"],
    };
  }
  return {
    modelPath: paths.model,
    inputs,
    dims: recipe.compile?.fixed_shapes,
    session: {
      intraOpThreads: run.threads?.intra_op ?? choice.device.threads,
      interOpThreads: run.threads?.inter_op,
      optimization: run.optimization ?? recipe.compile?.optimization,
      executionMode: run.execution_mode,
      memoryPattern: run.memory_pattern,
      cpuArena: run.cpu_arena,
    },
    warmup: run.warmup ?? 5,
    iterations: run.iterations ?? 50,
    // A generation is not profiled (the recipe check says so).
    profile: run.generate ? false : (run.profile ?? false),
    ...(run.profile_iterations === "all" ? { profileWindows: "all" as const } : {}),
    outDir,
    seed: run.seed ?? 0,
    deviceName: choice.name,
    ...(run.generate
      ? {
          generate: {
            promptTokens: promptLengths(run.generate.prompt_tokens),
            newTokens: run.generate.new_tokens,
            tokenRange: idsRange(recipe.model.inputs?.input_ids?.range),
          },
        }
      : {}),
  };
}

/** The range of random prompt ids: `model.inputs.input_ids.range` when given. */
function idsRange(range: number[] | undefined): [number, number] | undefined {
  return range && range.length === 2 ? [range[0], range[1]] : undefined;
}

/**
 * The plan for `choice`. A device this engine cannot run on yet (ssh, adb, a provider this machine lacks) still gets
 * the recipe's quantize and compile steps (with the provider's support analysis): when the recipe has them, the plan
 * is one for this machine's CPU and `deviceError` is the error the run stops with after those steps.
 */
export function planWithFallback(
  recipe: EdgeRecipe,
  paths: RecipePaths,
  choice: DeviceChoice,
  outDir: string,
  file: string,
): { plan: RunPlan; deviceError?: EdgeError } {
  try {
    return { plan: planFromRecipe(recipe, paths, choice, outDir, file) };
  } catch (e) {
    if (!isEdgeError(e) || e.code !== "device/unsupported" || (!recipe.quantize && !recipe.compile)) throw e;
    const cpuRecipe = { ...recipe, compile: recipe.compile && { ...recipe.compile, provider: "cpu" as const } };
    const plan = planFromRecipe(
      cpuRecipe,
      paths,
      { name: choice.name, device: { local: {} }, kind: "local" },
      outDir,
      file,
    );
    return { plan, deviceError: e };
  }
}
