// Whether a tensor's declared size can be trusted: its dims are not negative, its element count is exact (at most
// 2^53, counted with BigInt so a product past that is not rounded), and its data holds what dims × dtype say (raw
// data's bytes, the typed field's values, or an external entry's length). Used by the parameter counts (a tensor
// that fails is counted as unknown) and by the problems section of `edge inspect` (which names it).
import { type TensorProto, TensorProto_DataType as DT } from "onnx-buf";
import { formatBytes } from "../../common/units";
import { dtypeBits, dtypeName } from "../onnx/dtypes";
import { externalRef, isExternal } from "../onnx/tensor-proto";

export const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

export type TensorIssueCode = "tensor/negative-dim" | "tensor/size-mismatch" | "tensor/too-large";

export interface TensorIssue {
  code: TensorIssueCode;
  /** What is wrong, without the tensor's name ("has dim 0 = -2; dims cannot be negative"). */
  detail: string;
}

/** "1,000,000,000,000,000,000": digits grouped by three, exact for any bigint. */
export function groupDigits(n: bigint): string {
  const sign = n < 0n ? "-" : "";
  const digits = (n < 0n ? -n : n).toString();
  return sign + digits.replace(/\B(?=(\d{3})+$)/g, ",");
}

/** Bytes as the product prints them (common/units.ts), or exactly in bytes when past 2^53. */
export function bigBytes(bytes: bigint): string {
  return bytes <= MAX_EXACT ? formatBytes(Number(bytes)) : `${groupDigits(bytes)} B`;
}

/** The product of dims, exactly; undefined when a dim is negative. */
export function exactElementCount(dims: readonly (bigint | number)[]): bigint | undefined {
  let n = 1n;
  for (const d of dims) {
    const v = typeof d === "bigint" ? d : Number.isInteger(d) ? BigInt(d) : -1n;
    if (v < 0n) return undefined;
    n *= v;
  }
  return n;
}

/** "[1000000000, 1000000000]" */
export function dimsText(dims: readonly (bigint | number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

/** The typed field holding an inline tensor's values (when raw_data is empty), and values per element. */
function typedValues(t: TensorProto): { field: string; count: number; perElement: number } | undefined {
  switch (t.dataType) {
    case DT.FLOAT:
      return { field: "float_data", count: t.floatData.length, perElement: 1 };
    case DT.COMPLEX64:
      return { field: "float_data", count: t.floatData.length, perElement: 2 };
    case DT.DOUBLE:
      return { field: "double_data", count: t.doubleData.length, perElement: 1 };
    case DT.COMPLEX128:
      return { field: "double_data", count: t.doubleData.length, perElement: 2 };
    case DT.INT64:
      return { field: "int64_data", count: t.int64Data.length, perElement: 1 };
    case DT.UINT32:
    case DT.UINT64:
      return { field: "uint64_data", count: t.uint64Data.length, perElement: 1 };
    case DT.STRING:
      return { field: "string_data", count: t.stringData.length, perElement: 1 };
    case DT.INT32:
    case DT.INT16:
    case DT.INT8:
    case DT.UINT16:
    case DT.UINT8:
    case DT.BOOL:
    case DT.FLOAT16:
    case DT.BFLOAT16:
    case DT.FLOAT8E4M3FN:
    case DT.FLOAT8E4M3FNUZ:
    case DT.FLOAT8E5M2:
    case DT.FLOAT8E5M2FNUZ:
    case DT.FLOAT8E8M0:
      return { field: "int32_data", count: t.int32Data.length, perElement: 1 };
    default:
      return undefined; // sub-byte types pack several values per int32; unknown types: nothing to compare
  }
}

/** The external entry's length, when it has a well-formed one. */
function externalLength(t: TensorProto): number | undefined {
  try {
    return externalRef(t).length;
  } catch {
    return undefined; // a malformed entry is the external-data reader's error
  }
}

/**
 * What is wrong with a tensor's declared size, or undefined when it can be trusted. `dataStripped`: the model was
 * read without its inline values on purpose (the language server's structure-only read), so only the dims and the
 * external entries are checked, not inline data against them.
 */
export function tensorIssue(t: TensorProto, options: { dataStripped?: boolean } = {}): TensorIssue | undefined {
  const negative = t.dims.findIndex((d) => d < 0n);
  if (negative >= 0)
    return {
      code: "tensor/negative-dim",
      detail: `has dim ${negative} = ${t.dims[negative]} in ${dimsText(t.dims)}; dims cannot be negative`,
    };
  const elements = exactElementCount(t.dims) ?? 0n;
  const bits = BigInt(dtypeBits(t.dataType));
  const expectedBytes = (elements * bits + 7n) / 8n;
  const declared = `declares ${groupDigits(elements)} ${dtypeName(t.dataType)} element${elements === 1n ? "" : "s"} (${dimsText(t.dims)})`;
  const needs = bits > 0n ? `, which take ${bigBytes(expectedBytes)}` : "";
  if (isExternal(t)) {
    const length = externalLength(t);
    if (length !== undefined && bits > 0n && BigInt(length) !== expectedBytes)
      return {
        code: "tensor/size-mismatch",
        detail: `${declared}${needs}, but its external data is ${formatBytes(length)} long`,
      };
  } else if (options.dataStripped) {
    // Inline values were left out when the model was read: nothing to compare the dims with.
  } else if (t.rawData.length > 0) {
    if (bits > 0n && BigInt(t.rawData.length) !== expectedBytes)
      return {
        code: "tensor/size-mismatch",
        detail: `${declared}${needs}, but its raw data holds ${formatBytes(t.rawData.length)}`,
      };
  } else {
    const typed = typedValues(t);
    if (typed && BigInt(typed.count) !== elements * BigInt(typed.perElement))
      return {
        code: "tensor/size-mismatch",
        detail:
          typed.count === 0 && elements > 0n
            ? `${declared}${needs}, but it holds no data`
            : `${declared}, but its ${typed.field} holds ${groupDigits(BigInt(typed.count))} value${typed.count === 1 ? "" : "s"}`,
      };
  }
  if (elements > MAX_EXACT)
    return {
      code: "tensor/too-large",
      detail: `${declared}: more than 2^53, which no device holds and no count here is exact for`,
    };
  return undefined;
}
