// Binding symbolic dims ("batch", "seq") to numbers for an estimate: from the shapes the user gives per input
// (`--input-shape x=1,3,224,224`, which binds the symbols in x's declared dims) or per symbol (`batch=4`);
// every symbol left unbound defaults to 1, and so do unnamed unknown dims of inputs, each with a note.
import type { TypeProto, ValueInfoProto } from "onnx-buf";
import { EdgeError } from "../errors";
import type { TensorInfo } from "./tensor-info";

export type SymbolMode = "bound-only" | "default" | "bind-default";

export class SymbolTable {
  /** Symbols that were not bound and took the default 1. */
  readonly defaulted = new Set<string>();

  constructor(
    /** Symbols bound from input shapes or given by name. */
    readonly bound: Map<string, number>,
  ) {}

  /**
   * The number a symbol stands for. When unbound: "bound-only" gives undefined; "default" gives 1 and records it;
   * "bind-default" also binds it to 1, so later lookups agree (for the symbols of the model's inputs).
   */
  resolve(symbol: string, mode: SymbolMode = "default"): number | undefined {
    const value = this.bound.get(symbol);
    if (value !== undefined) return value;
    if (mode === "bound-only") return undefined;
    this.defaulted.add(symbol);
    if (mode === "bind-default") this.bound.set(symbol, 1);
    return 1;
  }
}

/**
 * A declared type's element type and shape with symbols resolved as `mode` says (see SymbolTable.resolve); an
 * unnamed unknown dim becomes `unknownAs`, or leaves the shape undefined when that is not given.
 */
export function declaredInfo(
  type: TypeProto | undefined,
  symbols: SymbolTable,
  options: { mode?: SymbolMode; unknownAs?: number } = {},
): TensorInfo | undefined {
  if (type?.value.case !== "tensorType") return undefined;
  const tensor = type.value.value;
  if (!tensor.shape) return { dtype: tensor.elemType };
  const shape: number[] = [];
  for (const d of tensor.shape.dim) {
    let n: number | undefined;
    if (d.value.case === "dimValue") n = Number(d.value.value);
    else if (d.value.case === "dimParam" && d.value.value !== "") n = symbols.resolve(d.value.value, options.mode);
    else n = options.unknownAs;
    if (n === undefined || n < 0) return { dtype: tensor.elemType };
    shape.push(n);
  }
  return { dtype: tensor.elemType, shape };
}

/** Declared dims of a value: numbers, symbol names, or null when unknown. Undefined when the rank is unknown. */
function declaredDims(info: ValueInfoProto): (number | string | null)[] | undefined {
  if (info.type?.value.case !== "tensorType" || !info.type.value.value.shape) return undefined;
  return info.type.value.value.shape.dim.map((d) =>
    d.value.case === "dimValue"
      ? Number(d.value.value)
      : d.value.case === "dimParam" && d.value.value
        ? d.value.value
        : null,
  );
}

/**
 * Builds the symbol table from user-given shapes. `given` maps an input name to its full shape, or a symbol name
 * to a one-element list. Throws `run/input` for an unknown name, a rank mismatch or a conflicting size.
 * Returns also the explicit shapes for inputs whose unnamed dims the user filled in.
 */
export function bindSymbols(
  inputs: ValueInfoProto[],
  given: Record<string, number[]>,
): { symbols: SymbolTable; explicit: Map<string, number[]> } {
  const bound = new Map<string, number>();
  const explicit = new Map<string, number[]>();
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const allSymbols = new Set(
    inputs.flatMap((i) => (declaredDims(i) ?? []).filter((d): d is string => typeof d === "string")),
  );
  const bind = (symbol: string, value: number, what: string) => {
    const previous = bound.get(symbol);
    if (previous !== undefined && previous !== value)
      throw new EdgeError("run/input", `${what} sets dim "${symbol}" to ${value}, but it is already ${previous}`);
    bound.set(symbol, value);
  };
  for (const [name, shape] of Object.entries(given)) {
    if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new EdgeError(
        "run/input",
        `input shape for "${name}" must be non-negative integers, got ${shape.join(",")}`,
      );
    const input = byName.get(name);
    if (!input) {
      if (allSymbols.has(name) && shape.length === 1) {
        bind(name, shape[0], `--input-shape ${name}`);
        continue;
      }
      const names = [...byName.keys()].join(", ") || "(none)";
      throw new EdgeError(
        "run/input",
        `the model has no input or symbolic dim named "${name}"`,
        {},
        `inputs: ${names}${allSymbols.size ? `; symbolic dims: ${[...allSymbols].join(", ")}` : ""}`,
      );
    }
    const dims = declaredDims(input);
    if (dims && dims.length !== shape.length) {
      throw new EdgeError(
        "run/input",
        `input "${name}" has rank ${dims.length} (${dims.map((d) => d ?? "?").join(",")}), but the given shape has ${shape.length} dims`,
      );
    }
    dims?.forEach((d, i) => {
      if (typeof d === "number" && d !== shape[i])
        throw new EdgeError(
          "run/input",
          `input "${name}" has dim ${i} fixed to ${d}, but the given shape says ${shape[i]}`,
        );
      if (typeof d === "string") bind(d, shape[i], `--input-shape ${name}`);
    });
    explicit.set(name, shape);
  }
  return { symbols: new SymbolTable(bound), explicit };
}
