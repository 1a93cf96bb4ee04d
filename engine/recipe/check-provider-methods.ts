// Checks that the quantization method suits the execution provider each device runs with: the operators a
// method writes (MatMulNBits, DynamicQuantizeLinear, QLinear…, float16) that a provider has no kernels for
// run on the CPU provider instead, or gain nothing. One problem per provider, naming its devices.
import { type DeviceProvider, deviceProviders } from "./check-options";
import type { ProblemSink } from "./problem-sink";
import type { Provider, Quantize } from "./recipe-types.generated";
import { listNames } from "./suggest";
import type { RecipeParts } from "./well-formed";

type Method = Quantize["method"];

interface Limitation {
  /** Providers that cannot run what the method writes. */
  providers: readonly Provider[];
  severity: "warning" | "information";
  /** Where the problem goes: the method, or the option that causes it. */
  on: "method" | "format";
  applies(q: Quantize): boolean;
  /** The reason, given the provider's display name. */
  message(provider: string, q: Quantize): string;
  hint?: string;
}

const providerNames: Record<Provider, string> = {
  cpu: "the CPU provider",
  xnnpack: "XNNPACK",
  nnapi: "NNAPI",
  qnn: "QNN",
  coreml: "Core ML",
  cuda: "CUDA",
  tensorrt: "TensorRT",
};

const limitations: Partial<Record<Method, Limitation[]>> = {
  "int4-weight-only": [
    {
      providers: ["nnapi", "qnn", "coreml", "xnnpack"],
      severity: "warning",
      on: "method",
      applies: () => true,
      message: (p) =>
        `\`int4-weight-only\` writes MatMulNBits, which ${p} cannot run: those MatMuls fall back to the CPU provider`,
      hint: "use `int8-static` (QDQ) for NPUs; `int4-weight-only` suits `cpu` and `cuda`",
    },
  ],
  "int8-dynamic": [
    {
      providers: ["nnapi", "qnn", "coreml"],
      severity: "warning",
      on: "method",
      applies: () => true,
      message: (p) =>
        `\`int8-dynamic\` quantizes activations at run time (DynamicQuantizeLinear, MatMulInteger), which ${p} cannot run: those nodes fall back to the CPU provider`,
      hint: "NPUs run statically quantized models: use `int8-static` with `calibration`",
    },
  ],
  "int8-static": [
    {
      providers: ["qnn", "coreml", "cuda", "tensorrt"],
      severity: "warning",
      on: "format",
      applies: (q) => q.format === "qoperator",
      message: (p) =>
        `\`format: qoperator\` writes QLinear operators, which ${p} cannot run: they fall back to the CPU provider`,
      hint: "use `format: qdq`: providers other than the CPU fuse QuantizeLinear/DequantizeLinear pairs themselves",
    },
  ],
  fp16: [
    {
      providers: ["cpu"],
      severity: "information",
      on: "method",
      applies: () => true,
      message: () =>
        "`fp16` on the CPU provider makes the model smaller but not faster: the CPU has float16 kernels for few operators, so ONNX Runtime casts back to float32 around the others",
      hint: "fp16 pays off on GPUs and NPUs (`cuda`, `tensorrt`, `coreml`, `nnapi`, `qnn`)",
    },
  ],
};

export function checkProviderMethods(parts: RecipeParts, sink: ProblemSink): void {
  const q = parts.recipe.quantize;
  if (!q) return;
  const candidates = providersInUse(parts);
  for (const limitation of limitations[q.method] ?? []) {
    if (!limitation.applies(q)) continue;
    for (const provider of limitation.providers) {
      const users = candidates.filter((c) => c.provider === provider);
      if (users.length === 0) continue;
      const devices = users.map((u) => u.device).filter((d): d is string => d !== undefined);
      const who = devices.length ? ` (device${devices.length === 1 ? "" : "s"} ${listNames(devices, "and")})` : "";
      const path = limitation.on === "method" ? ["quantize", "method"] : ["quantize", "format"];
      sink[limitation.severity]("quantize/provider", path, `${limitation.message(providerNames[provider], q)}${who}`, {
        hint: limitation.hint,
      });
    }
  }
}

/** Every provider the recipe may run with: each device's, or `compile.provider` (default `cpu`) when there are no devices. */
function providersInUse(parts: RecipeParts): (Omit<DeviceProvider, "device" | "transport"> & { device?: string })[] {
  const devices = deviceProviders(parts);
  if (devices.length > 0) return devices;
  if (parts.broken(["compile", "provider"]) || parts.writtenKeys(["devices"])?.length) return [];
  return [{ provider: parts.recipe.compile?.provider ?? "cpu", where: ["compile", "provider"] }];
}
