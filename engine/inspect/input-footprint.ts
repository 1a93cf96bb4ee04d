// How much memory one input tensor takes, counted exactly (BigInt), and whether it can be allocated at all: the
// recipe checks (engine/recipe/check-input-memory.ts) put the answer at the input's shape, and the runner
// (engine/run/input-allocation.ts) refuses such an input before it allocates. Both sit above this layer.
import { formatBytes } from "../../common/units";
import { dtypeBits, dtypeFromName } from "../onnx/dtypes";
import { deviceClasses } from "./device-fit";
import { groupDigits } from "./tensor-checks";

/**
 * Most elements one input may have: one typed array of the runner holds at most 2^31 − 1 elements on every
 * platform the engine supports (V8 and onnxruntime index them with 32-bit integers in places).
 */
export const MAX_INPUT_ELEMENTS = 2 ** 31 - 1;

/** The memory of the largest device class (edge inspect's classes): no device the product targets holds more. */
export const LARGEST_DEVICE_BYTES = Math.max(...deviceClasses.map((d) => d.memoryBytes));

export interface InputFootprint {
  elements: bigint;
  /** Undefined for types without a fixed size (string). */
  bytes?: bigint;
  /** "30,000,000,000 float32 elements (120.0 GB)" */
  text: string;
}

/** Bytes as the product prints them, exactly when past 2^53. */
function bytesText(bytes: bigint): string {
  return bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? formatBytes(Number(bytes)) : `${groupDigits(bytes)} B`;
}

/** The elements and bytes of a tensor of `shape` and element type `dtype` ("float32", "int8", …). */
export function inputFootprint(shape: readonly number[], dtype: string): InputFootprint {
  let elements = 1n;
  for (const d of shape) elements *= BigInt(Math.max(0, Math.trunc(d)));
  const code = dtypeFromName(dtype);
  const bits = code === undefined ? 0 : dtypeBits(code);
  const bytes = bits > 0 ? (elements * BigInt(bits) + 7n) / 8n : undefined;
  const text = `${groupDigits(elements)} ${dtype} element${elements === 1n ? "" : "s"}${bytes !== undefined ? ` (${bytesText(bytes)})` : ""}`;
  return { elements, ...(bytes !== undefined ? { bytes } : {}), text };
}

/** Why a tensor of this footprint cannot be allocated ("more than one array holds (2^31 − 1 elements)"), if so. */
export function cannotAllocate(footprint: InputFootprint, memoryBytes = LARGEST_DEVICE_BYTES): string | undefined {
  if (footprint.elements > BigInt(MAX_INPUT_ELEMENTS))
    return `more than one input array holds (2^31 − 1 = ${groupDigits(BigInt(MAX_INPUT_ELEMENTS))} elements)`;
  if (footprint.bytes !== undefined && footprint.bytes > BigInt(memoryBytes))
    return memoryBytes === LARGEST_DEVICE_BYTES
      ? `more memory than any device class has (the largest, ${deviceClasses.find((d) => d.memoryBytes === LARGEST_DEVICE_BYTES)?.label}, has ${formatBytes(LARGEST_DEVICE_BYTES)})`
      : `more than this machine's memory (${formatBytes(memoryBytes)})`;
  return undefined;
}
