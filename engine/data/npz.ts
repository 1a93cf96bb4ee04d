// NumPy `.npz` datasets (numpy.savez / savez_compressed): a zip archive of `.npy` arrays, one per model input, with
// samples along the first axis. Sample i feeds each input the array's slice [i:i+1] (the rank is kept, so a batch axis
// of 1 stays). The zip is read from its central directory; entries are stored or deflated (the two numpy writes).
import { inflateRawSync } from "node:zlib";
import { EdgeError, isEdgeError } from "../errors";
import { readRegularFile } from "../fs/regular-file";
import { parseNpy } from "./npy";
import { bytesPerElement, type Sample, type TensorData } from "./typed-tensor";

/** The largest .npz archive read (2 GB): it is read whole. */
export const MAX_NPZ_BYTES = 2e9;

function bad(file: string, message: string, hint?: string): EdgeError {
  return new EdgeError("run/input", `${file}: ${message}`, { file }, hint);
}

/** The `.npy` members of a zip archive, by name without the extension. */
export function unzipNpz(bytes: Uint8Array, file: string): Map<string, TensorData> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is in the last 22 + 65535 bytes (its comment is at most 65535 long).
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0)
    throw bad(file, "not an .npz file (no zip directory found)", "write it with numpy.savez or numpy.savez_compressed");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff)
    throw bad(
      file,
      "zip64 archives (over 4 GB) are not supported",
      "split the dataset into smaller .npz files or a folder of .npy files",
    );
  const arrays = new Map<string, TensorData>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50)
      throw bad(file, `the zip directory is damaged at byte ${at}`);
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (!name.endsWith(".npy")) continue;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50)
      throw bad(file, `entry "${name}" is damaged (byte ${local})`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length)
      throw bad(file, `entry "${name}" runs past the end of the file; it looks truncated`);
    const data = bytes.subarray(start, start + compressed);
    let npy: Uint8Array;
    if (method === 0) npy = data;
    else if (method === 8) {
      try {
        npy = inflateRawSync(data);
      } catch (e) {
        throw bad(file, `entry "${name}" cannot be decompressed: ${(e as Error).message}`);
      }
    } else
      throw bad(
        file,
        `entry "${name}" uses zip compression method ${method}; numpy writes stored (0) or deflated (8) entries`,
      );
    arrays.set(name.slice(0, -4), parseNpy(npy, `${file}:${name}`));
  }
  return arrays;
}

/**
 * Samples from an `.npz`: `inputs` maps model input names to array names (default: every array feeds the input of
 * its own name). All arrays must have the same first dimension, the number of samples.
 */
export async function readNpzDataset(
  path: string,
  options: { inputs?: Record<string, string>; maxSamples?: number } = {},
): Promise<Sample[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path, { code: "data/invalid", maxBytes: MAX_NPZ_BYTES });
  } catch (e) {
    if (isEdgeError(e)) throw e;
    throw bad(path, `cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const arrays = unzipNpz(bytes, path);
  if (arrays.size === 0) throw bad(path, "the archive holds no .npy arrays");
  const feeds = options.inputs ?? Object.fromEntries([...arrays.keys()].map((name) => [name, name]));
  let samples: number | undefined;
  for (const [input, arrayName] of Object.entries(feeds)) {
    const array = arrays.get(arrayName);
    if (!array)
      throw bad(
        path,
        `has no array "${arrayName}" for input "${input}"`,
        `its arrays: ${[...arrays.keys()].join(", ")}`,
      );
    if (array.shape.length === 0) throw bad(path, `array "${arrayName}" is a scalar; samples go along the first axis`);
    if (samples !== undefined && array.shape[0] !== samples)
      throw bad(path, `array "${arrayName}" has ${array.shape[0]} samples along its first axis, the others ${samples}`);
    samples = array.shape[0];
  }
  const out: Sample[] = [];
  for (let i = 0; i < Math.min(samples ?? 0, options.maxSamples ?? Infinity); i++) {
    const sample: Sample = {};
    for (const [input, arrayName] of Object.entries(feeds)) {
      const array = arrays.get(arrayName)!;
      const per = array.shape.slice(1).reduce((a, b) => a * b, 1);
      const bytesEach = per * bytesPerElement(array.dtype);
      const raw = new Uint8Array(array.data.buffer, array.data.byteOffset + i * bytesEach, bytesEach);
      const data = new (array.data.constructor as new (n: number) => typeof array.data)(per);
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(raw);
      sample[input] = { dtype: array.dtype, shape: [1, ...array.shape.slice(1)], data };
    }
    out.push(sample);
  }
  return out;
}
