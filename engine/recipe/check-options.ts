// Checks that options fit together: quantize options that the chosen method ignores, execution providers
// a device cannot have, thread settings the execution mode does not use, a device's runner and its paths.
import type { ProblemSink } from "./problem-sink";
import type { Device, Provider, Quantize } from "./recipe-types.generated";
import type { RecipeParts } from "./well-formed";

type QuantizeMethod = Quantize["method"];
type QuantizeOption = Exclude<keyof Quantize, "method">;

/** The methods each quantize option applies to (options not listed apply to every method). */
const optionMethods: Partial<Record<QuantizeOption, readonly QuantizeMethod[]>> = {
  block_size: ["int4-weight-only"],
  accuracy_level: ["int4-weight-only"],
  symmetric: ["int8-dynamic", "int8-static", "int4-weight-only"],
  per_channel: ["int8-dynamic", "int8-static"],
  reduce_range: ["int8-dynamic", "int8-static"],
  weight_type: ["int8-dynamic", "int8-static"],
  activation_type: ["int8-static"],
  format: ["int8-static"],
  calibration: ["int8-static"],
  keep_io_types: ["fp16"],
  block_ops: ["fp16"],
  symmetric_activations: ["int8-static"],
  target_cosine: ["int8-static"],
  quantize_embedding: ["int4-weight-only"],
};

export function checkOptions(parts: RecipeParts, sink: ProblemSink): void {
  if (parts.recipe.quantize) checkQuantize(parts.recipe.quantize, parts.broken, sink);
  checkProviders(parts, sink);
  checkRunners(parts, sink);
  checkSixteenBit(parts, sink);
  checkRun(parts, sink);
}

function checkQuantize(q: Quantize, broken: RecipeParts["broken"], sink: ProblemSink): void {
  for (const [option, methods] of Object.entries(optionMethods) as [QuantizeOption, QuantizeMethod[]][]) {
    if (q[option] === undefined || methods.includes(q.method)) continue;
    sink.warning(
      "option/not-applicable",
      ["quantize", option],
      `\`quantize.${option}\` is ignored by \`method: ${q.method}\`; it applies to ${methods.map((m) => `\`${m}\``).join(", ")}`,
      {
        on: "key",
      },
    );
  }
  if (q.method === "int8-static" && !q.calibration && !broken(["quantize", "calibration"])) {
    sink.warning(
      "option/conflict",
      ["quantize", "method"],
      "`int8-static` without `calibration` calibrates on random inputs from `model.inputs`: the ranges will not fit real data",
      {
        hint: "add `calibration: { data: <dataset>, samples: 100 }` and the dataset under `data`",
      },
    );
  }
  const calibration = q.calibration;
  if (
    calibration?.percentile !== undefined &&
    (calibration.method ?? "minmax") !== "percentile" &&
    !broken(["quantize", "calibration", "method"])
  ) {
    sink.warning(
      "option/not-applicable",
      ["quantize", "calibration", "percentile"],
      `\`percentile\` is ignored by calibration \`method: ${calibration.method ?? "minmax"}\``,
      {
        on: "key",
        hint: "set `method: percentile`, or remove `percentile`",
      },
    );
  }
  if (
    q.method === "int8-static" &&
    (q.format ?? "qdq") === "qoperator" &&
    (q.activation_type === "uint16" || q.activation_type === "int16")
  ) {
    sink.error(
      "option/conflict",
      ["quantize", "activation_type"],
      `16-bit activations need \`format: qdq\`: QOperator has no 16-bit kernels`,
    );
  } else if (q.format === "qoperator" && !broken(["quantize", "format"])) {
    sink.error(
      "option/unsupported",
      ["quantize", "format"],
      "`format: qoperator` is not supported yet: edge writes the QDQ format",
      {
        hint: "use `format: qdq`; onnxruntime's CPU provider turns QDQ groups into QLinearConv/QLinearMatMul when it loads the model",
      },
    );
  }
  const included = new Set(q.include?.ops ?? []);
  (q.exclude?.ops ?? []).forEach((op, i) => {
    if (included.has(op))
      sink.warning(
        "option/conflict",
        ["quantize", "exclude", "ops", i],
        `\`${op}\` is in both \`include.ops\` and \`exclude.ops\`; exclude wins`,
      );
  });
  const includedNodes = new Set(q.include?.nodes ?? []);
  (q.exclude?.nodes ?? []).forEach((node, i) => {
    if (includedNodes.has(node))
      sink.warning(
        "option/conflict",
        ["quantize", "exclude", "nodes", i],
        `\`${node}\` is in both \`include.nodes\` and \`exclude.nodes\`; exclude wins`,
      );
  });
}

function transportOf(device: Device): "local" | "ssh" | "adb" {
  return device.adb ? "adb" : device.ssh ? "ssh" : "local";
}

export interface DeviceProvider {
  device: string;
  transport: "local" | "ssh" | "adb";
  provider: Provider;
  /** Where the provider is written: the device's `provider`, or `compile.provider` (the default `cpu` too). */
  where: string[];
}

/**
 * The provider each device runs with (its own, else `compile.provider`, else `cpu`); devices whose provider
 * is unknown because it broke the schema are left out.
 */
export function deviceProviders(parts: RecipeParts): DeviceProvider[] {
  const { recipe, broken } = parts;
  const found: DeviceProvider[] = [];
  for (const [name, device] of Object.entries(recipe.devices ?? {})) {
    if (broken(["devices", name, "provider"]) || (!device.provider && broken(["compile", "provider"]))) continue;
    const provider = device.provider ?? recipe.compile?.provider ?? "cpu";
    found.push({
      device: name,
      transport: transportOf(device),
      provider,
      where: device.provider ? ["devices", name, "provider"] : ["compile", "provider"],
    });
  }
  return found;
}

/** Providers that run no 16-bit QDQ (com.microsoft QuantizeLinear/DequantizeLinear with uint16/int16). */
const no16BitQdq = new Set(["nnapi", "coreml", "xnnpack"]);

/**
 * int8-static may write 16-bit activations: asked for (`activation_type`), or chosen by its mixed precision
 * (`target_cosine`, on by default). A device whose provider cannot run them would leave those parts on the CPU.
 */
function checkSixteenBit(parts: RecipeParts, sink: ProblemSink): void {
  const q = parts.recipe.quantize;
  if (q?.method !== "int8-static" || parts.broken(["quantize"])) return;
  const asked = q.activation_type === "uint16" || q.activation_type === "int16";
  const mixed = (q.target_cosine ?? 0.99) > 0;
  if (!asked && !mixed) return;
  const devices = deviceProviders(parts).filter((d) => no16BitQdq.has(d.provider));
  if (devices.length === 0) return;
  const names = devices.map((d) => `\`${d.device}\` (${d.provider})`).join(", ");
  if (asked) {
    sink.warning(
      "quantize/provider",
      ["quantize", "activation_type"],
      `16-bit activations run only on the CPU of ${names}: their providers take 8-bit QDQ only`,
      {
        hint: "use `activation_type: uint8` for these devices",
      },
    );
  } else {
    sink.information(
      "quantize/provider",
      ["quantize", "method"],
      `int8-static keeps \`target_cosine\` (${q.target_cosine ?? 0.99}) by moving its costliest activations to 16 bits or float, which ${names} run on the CPU`,
      {
        hint: "set `target_cosine: 0` to keep every activation at 8 bits for this provider; the report lists what moved",
      },
    );
  }
}

/** Each device's provider (its own, else `compile.provider`) must exist on that kind of device. */
function checkProviders(parts: RecipeParts, sink: ProblemSink): void {
  for (const { device: name, transport, provider, where } of deviceProviders(parts)) {
    const hasOwn = where[0] === "devices";
    if (provider === "nnapi" && transport !== "adb") {
      sink.warning(
        "device/unsupported",
        where,
        `NNAPI exists only on Android, but device \`${name}\` is reached over ${transport === "local" ? "`local`" : "`ssh`"}`,
        {
          hint: hasOwn ? undefined : `give device \`${name}\` its own \`provider\``,
        },
      );
    }
    if (provider === "coreml" && transport === "adb") {
      sink.error(
        "device/unsupported",
        where,
        `Core ML exists only on Apple devices, but device \`${name}\` is an Android device (adb)`,
        {
          hint: hasOwn
            ? "use `nnapi`, `qnn` or `xnnpack` on Android"
            : `give device \`${name}\` its own \`provider\` (nnapi, qnn or xnnpack)`,
        },
      );
    }
  }
}

/**
 * `runner: perf-test` needs the user's onnxruntime_perf_test: `perf_test_path` (on this machine, pushed) or
 * `runner_path` (on the device). Without either the run takes the `edge.perfTest.path` setting
 * (EDGE_PERF_TEST_PATH), which a recipe check cannot see: a warning. `perf_test_path` means nothing to the node runner.
 */
function checkRunners(parts: RecipeParts, sink: ProblemSink): void {
  const { recipe, broken } = parts;
  for (const [name, device] of Object.entries(recipe.devices ?? {})) {
    if (broken(["devices", name, "runner"])) continue;
    const runner = device.runner ?? "node";
    if (runner === "perf-test" && !device.perf_test_path && !device.runner_path) {
      sink.warning(
        "option/conflict",
        ["devices", name, "runner"],
        `\`runner: perf-test\` runs your own onnxruntime_perf_test, and device \`${name}\` does not say where it is`,
        {
          hint: "set `perf_test_path` (the binary built for the device, on this machine: it is pushed with its libonnxruntime.so) or `runner_path` (one already on the device); else the run takes the `edge.perfTest.path` setting (EDGE_PERF_TEST_PATH)",
        },
      );
    }
    if (runner === "node" && device.perf_test_path !== undefined) {
      sink.warning(
        "option/not-applicable",
        ["devices", name, "perf_test_path"],
        "`perf_test_path` is used only by `runner: perf-test`",
        { on: "key", hint: "add `runner: perf-test`, or remove `perf_test_path`" },
      );
    }
    if (runner === "perf-test" && device.perf_test_path !== undefined && device.runner_path !== undefined) {
      sink.warning(
        "option/conflict",
        ["devices", name, "runner_path"],
        "`runner_path` (a binary already on the device) is ignored: `perf_test_path` is pushed and run instead",
        { on: "key" },
      );
    }
  }
}

function checkRun(parts: RecipeParts, sink: ProblemSink): void {
  const { recipe, broken } = parts;
  const run = recipe.run;
  if (!run) return;
  if (run.profile_iterations !== undefined && run.profile !== true && !broken(["run", "profile"]))
    sink.warning(
      "option/not-applicable",
      ["run", "profile_iterations"],
      "`profile_iterations` applies only with `profile: true`",
      { on: "key", hint: "add `profile: true`, or remove `profile_iterations`" },
    );
  if (
    (run.threads?.inter_op ?? 0) > 0 &&
    (run.execution_mode ?? "sequential") !== "parallel" &&
    !broken(["run", "execution_mode"])
  ) {
    sink.warning(
      "option/not-applicable",
      ["run", "threads", "inter_op"],
      "`inter_op` threads are used only with `execution_mode: parallel`",
      {
        on: "key",
        hint: "add `execution_mode: parallel` to `run`, or remove `inter_op`",
      },
    );
  }
  if (recipe.budgets?.latency_p99_ms !== undefined && (run.iterations ?? 50) < 100 && !broken(["run", "iterations"])) {
    sink.information(
      "option/conflict",
      ["run", "iterations"],
      `a p99 over ${run.iterations ?? 50} iterations is the slowest or second-slowest sample; use at least 100 for \`budgets.latency_p99_ms\``,
      {
        on: run.iterations === undefined ? "key" : "value",
      },
    );
  }
}
