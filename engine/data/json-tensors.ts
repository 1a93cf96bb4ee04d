// JSON tensor files: one sample `{"input": {"dtype": "float32", "shape": [1, 3], "data": [...]}, ...}` or a list of
// such samples. `data` may be flat or nested (it is flattened in C order); int64/uint64 values may be strings
// (for values beyond 2^53); bool values may be true/false or 0/1.
import { EdgeError, isEdgeError } from "../errors";
import { readRegularTextFile } from "../fs/regular-file";
import {
  type Sample,
  type TensorData,
  allocate,
  elementCount,
  isBigIntDtype,
  isDtype,
  writeNumber,
} from "./typed-tensor";

function bad(file: string, message: string, hint?: string): EdgeError {
  return new EdgeError("run/input", `${file}: ${message}`, { file }, hint);
}

function flatten(value: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else out.push(value);
  return out;
}

function parseTensor(value: unknown, where: string, file: string): TensorData {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw bad(file, `${where} must be an object {dtype, shape, data}`);
  const { dtype, shape, data } = value as Record<string, unknown>;
  if (typeof dtype !== "string" || !isDtype(dtype))
    throw bad(
      file,
      `${where}.dtype must be one of float32, float64, float16, int8…int64, uint8…uint64, bool; got ${JSON.stringify(dtype)}`,
    );
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw bad(file, `${where}.shape must be a list of non-negative integers`);
  if (data === undefined) throw bad(file, `${where}.data is missing`);
  const values = flatten(data, []);
  const count = elementCount(shape as number[]);
  if (values.length !== count)
    throw bad(file, `${where}.data has ${values.length} values but shape [${shape.join(", ")}] needs ${count}`);
  const array = allocate(dtype, count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (isBigIntDtype(dtype) && (typeof v === "string" || typeof v === "number")) {
      try {
        array[i] = dtype === "int64" ? BigInt.asIntN(64, BigInt(v)) : BigInt.asUintN(64, BigInt(v));
      } catch {
        throw bad(file, `${where}.data[${i}] is not an integer: ${JSON.stringify(v)}`);
      }
    } else if (typeof v === "number") {
      writeNumber(array, dtype, i, v);
    } else if (typeof v === "boolean" && dtype === "bool") {
      array[i] = v ? 1 : 0;
    } else {
      throw bad(file, `${where}.data[${i}] is not a number: ${JSON.stringify(v)}`);
    }
  }
  return { dtype, shape: shape as number[], data: array };
}

function parseSample(value: unknown, where: string, file: string): Sample {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw bad(file, `${where} must be an object mapping input names to tensors`);
  const sample: Sample = {};
  for (const [name, tensor] of Object.entries(value)) sample[name] = parseTensor(tensor, `${where}.${name}`, file);
  return sample;
}

/** Parses JSON text into samples; `file` names the source in errors. */
export function parseJsonTensors(text: string, file = "<json>"): Sample[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(file, `not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(json)) return json.map((s, i) => parseSample(s, `[${i}]`, file));
  return [parseSample(json, "$", file)];
}

/** The largest JSON dataset read (200 MB): it is parsed whole, and numbers in JSON take several times their bytes. */
export const MAX_JSON_DATASET_BYTES = 2e8;

export async function readJsonTensors(path: string): Promise<Sample[]> {
  let text: string;
  try {
    text = await readRegularTextFile(path, { code: "data/invalid", maxBytes: MAX_JSON_DATASET_BYTES });
  } catch (e) {
    if (isEdgeError(e)) throw e;
    throw new EdgeError(
      "run/input",
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { file: path },
    );
  }
  return parseJsonTensors(text, path);
}
