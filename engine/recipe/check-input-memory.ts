// Checks the memory of the inputs `edge run` will make: each input's shape (from `model.inputs`, symbolic dims sized
// by `compile.fixed_shapes` or the model, else 1 as the runner does) and element type (the recipe's, else the
// model's, else float32). An error at the shape when it cannot be allocated at all (more elements than one array
// holds, more bytes than any device class has: engine/inspect/input-footprint.ts); a warning when it alone exceeds
// the `peak_memory_mb` budget, or at the budget when the inputs together do. Pure: the language server shows the
// same problems. With a budget and a host that can estimate (`edge validate`, `edge run`), the engine's peak-memory
// estimate for these shapes (engine/inspect: weights + peak activations) is compared with the budget too.
import { formatBytes } from "../../common/units";
import { cannotAllocate, inputFootprint, type InputFootprint } from "../inspect/input-footprint";
import type { ModelSignature, TensorSignature } from "../onnx/signature";
import type { ProblemSink } from "./problem-sink";
import type { RecipeParts } from "./well-formed";

/** The shape the runner will use: recipe dims (names sized by fixed_shapes), else the model's dims, 1 for the rest. */
function runShape(
  written: readonly (number | string)[] | undefined,
  model: TensorSignature | undefined,
  fixed: Record<string, number>,
): number[] | undefined {
  const size = (d: number | string | null | undefined, modelDim?: number | string | null) =>
    typeof d === "number"
      ? d
      : typeof d === "string" && typeof fixed[d] === "number"
        ? fixed[d]
        : typeof modelDim === "number" && modelDim > 0
          ? modelDim
          : typeof modelDim === "string" && typeof fixed[modelDim] === "number"
            ? fixed[modelDim]
            : 1;
  if (written) return written.map((d, i) => size(d, model?.dims?.[i]));
  return model?.dims ? model.dims.map((d) => size(d)) : undefined;
}

export interface InputMemory {
  /** The shape each input will have, by name. */
  shapes: Record<string, number[]>;
  /** An input cannot be allocated, or the inputs alone exceed the budget (a problem was reported). */
  reported: boolean;
  /** The `peak_memory_mb` budget in bytes, when the recipe has one. */
  budgetBytes?: number;
}

export function checkInputMemory(
  parts: RecipeParts,
  signature: ModelSignature | undefined,
  sink: ProblemSink,
): InputMemory {
  const { recipe, broken } = parts;
  const result: InputMemory = { shapes: {}, reported: false };
  if (broken(["model", "inputs"]) || broken(["compile", "fixed_shapes"])) return { ...result, reported: true };
  const fixed = recipe.compile?.fixed_shapes ?? {};
  const given = recipe.model?.inputs ?? {};
  const budgetMb = broken(["budgets", "peak_memory_mb"]) ? undefined : recipe.budgets?.peak_memory_mb;
  const budgetBytes = typeof budgetMb === "number" ? BigInt(Math.floor(budgetMb * 1e6)) : undefined;
  const byName = new Map((signature?.inputs ?? []).map((i) => [i.name, i]));
  const names = [...new Set([...Object.keys(given), ...byName.keys()])];

  let total = 0n;
  let warned = false;
  for (const name of names) {
    const spec = given[name];
    const model = byName.get(name);
    if (spec && (spec.value !== undefined || broken(["model", "inputs", name]))) continue;
    const shape = runShape(spec?.shape, model, fixed);
    if (!shape) continue;
    result.shapes[name] = shape;
    const dtype = spec?.dtype ?? (model && model.dtype !== "unknown" ? model.dtype : "float32");
    const footprint = inputFootprint(shape, dtype);
    const at = spec
      ? spec.shape
        ? ["model", "inputs", name, "shape"]
        : ["model", "inputs", name]
      : recipe.model?.inputs
        ? ["model", "inputs"]
        : ["model", "path"];
    const on = spec && spec.shape ? "value" : "key";
    const impossible = cannotAllocate(footprint);
    if (impossible) {
      sink.error(
        "input/size",
        at,
        `input \`${name}\` is ${footprint.text}: ${impossible}; \`edge run\` cannot make it`,
        {
          on,
          hint: "give the input a smaller `shape` (or smaller sizes under `compile.fixed_shapes`)",
        },
      );
      warned = true;
      continue;
    }
    total += footprint.bytes ?? 0n;
    if (budgetBytes !== undefined && footprint.bytes !== undefined && footprint.bytes > budgetBytes) {
      sink.warning("input/size", at, overBudget(`input \`${name}\` takes`, footprint, budgetMb!), { on });
      warned = true;
    }
  }
  if (!warned && budgetBytes !== undefined && total > budgetBytes)
    sink.warning(
      "input/size",
      ["budgets", "peak_memory_mb"],
      `the inputs alone take ${formatBytes(Number(total))}, more than the \`peak_memory_mb\` budget of ${formatBytes(budgetMb! * 1e6)}`,
    );
  if (warned || (budgetBytes !== undefined && total > budgetBytes)) result.reported = true;
  return { ...result, ...(budgetBytes !== undefined ? { budgetBytes: Number(budgetBytes) } : {}) };
}

/** The engine's estimate for the inputs' shapes against the budget: a warning at the budget when it is above. */
export function checkPeakEstimate(
  estimate: { peakBytes: number; exact: boolean } | undefined,
  budgetBytes: number,
  sink: ProblemSink,
): void {
  if (!estimate?.exact || estimate.peakBytes <= budgetBytes) return;
  sink.warning(
    "input/size",
    ["budgets", "peak_memory_mb"],
    `for the inputs' shapes the engine estimates a peak of ${formatBytes(estimate.peakBytes)} (weights + activations), more than the \`peak_memory_mb\` budget of ${formatBytes(budgetBytes)}`,
    { hint: "`edge inspect MODEL --input-shape NAME=D1,D2,…` shows the estimate and where the peak is" },
  );
}

function overBudget(what: string, footprint: InputFootprint, budgetMb: number): string {
  return `${what} ${formatBytes(Number(footprint.bytes))} (${footprint.text.replace(/ \(.*\)$/, "")}), more than the \`peak_memory_mb\` budget of ${formatBytes(budgetMb * 1e6)}`;
}
