// float32 → float16 for the fp16 method: a fast conversion loop (branch-free rounding for normal values, toHalfBits
// for zeros, subnormals, infinities and NaN), finite values beyond ±65504 clamped to it rather than made infinite,
// and whole tensors converted one at a time through the output's tensor store (external data streams).
import { create } from "@bufbuild/protobuf";
import { type TensorProto, TensorProto_DataType as DT, TensorProtoSchema } from "onnx-buf";
import { toHalfBits } from "../../data/typed-tensor";
import type { QuantizeContext } from "../graph/context";
import { bytesOfView, readFloatTensor } from "../graph/tensor-store";

export const HALF_MAX_BITS = 0x7bff; // 65504

export interface HalfValues {
  bits: Uint16Array;
  /** Finite values whose magnitude was beyond float16's range, clamped to ±65504. */
  clamped: number;
}

/** Rounds float32 values to float16 bits (nearest even), clamping finite overflow to ±65504. */
export function floatsToHalf(values: Float32Array): HalfValues {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, n);
  const bits = new Uint16Array(n);
  let clamped = 0;
  for (let i = 0; i < n; i++) {
    const x = words[i];
    const sign = (x >>> 16) & 0x8000;
    const e = ((x >>> 23) & 0xff) - 112;
    if (e > 0 && e < 31) {
      // Normal in float16: add the rounding bias (half an ulp, plus one when the kept lsb is odd) and shift.
      const r = (x & 0x7fffffff) + 0xfff + ((x >>> 13) & 1);
      const h = (((r >>> 23) - 112) << 10) | ((r >>> 13) & 0x3ff);
      if (h >= 0x7c00) {
        bits[i] = sign | HALF_MAX_BITS;
        clamped++;
      } else {
        bits[i] = sign | h;
      }
    } else if ((x & 0x7fffffff) === 0) {
      bits[i] = sign;
    } else if (e >= 31 && e < 143) {
      bits[i] = sign | HALF_MAX_BITS; // finite but beyond 65504
      clamped++;
    } else {
      bits[i] = toHalfBits(values[i]); // subnormal in float16, underflow to zero, infinity or NaN
    }
  }
  return { bits, clamped };
}

/** A float16 copy of a float constant (float32, float64, …), made through the store so big ones stream to external data. */
export async function halfTensor(
  ctx: QuantizeContext,
  tensor: TensorProto,
  node?: string,
): Promise<{ tensor: TensorProto; clamped: number }> {
  const values = await readFloatTensor(ctx.model, tensor, node);
  const { bits, clamped } = floatsToHalf(values);
  const out = await ctx.store.make(tensor.name, DT.FLOAT16, tensor.dims.map(Number), bytesOfView(bits));
  if (tensor.docString) out.docString = tensor.docString;
  return { tensor: out, clamped };
}

/** An inline float16 tensor of `values` (for attributes such as Constant's value_float and ConstantOfShape's default). */
export function inlineHalfTensor(
  name: string,
  dims: number[],
  values: number[],
): { tensor: TensorProto; clamped: number } {
  const { bits, clamped } = floatsToHalf(Float32Array.from(values));
  return {
    tensor: create(TensorProtoSchema, {
      name,
      dataType: DT.FLOAT16,
      dims: dims.map(BigInt),
      rawData: bytesOfView(bits).slice(),
    }),
    clamped,
  };
}
