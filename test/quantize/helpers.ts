// Shared by the quantization tests: Debian's ONNX checker on a written model, onnxruntime-node runs, and metrics.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { setWasmKernelsEnabled } from "../../engine/quantize/kernels/arithmetic";

const PYTHON = "/usr/bin/python3";

/** Runs onnx.checker.check_model(full_check=True) from Debian's python3-onnx; returns its error text or "". */
export function onnxCheckerError(path: string): string {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing: install Debian's python3-onnx`;
  const script = "import sys, onnx\nm = onnx.load(sys.argv[1])\nonnx.checker.check_model(m, full_check=True)\n";
  const result = spawnSync(PYTHON, ["-c", script, path], { encoding: "utf8" });
  return result.status === 0 ? "" : result.stderr.trim().split("\n").slice(-3).join("\n");
}

export function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export async function runModel(
  path: string,
  feeds: Record<string, ort.Tensor>,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(path, { logSeverityLevel: 3, ...options });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Deterministic normal-ish floats (sum of uniforms) scaled by `scale`. */
export function randn(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() + next() + next() + next() - 2) * 1.7320508 * scale;
  return out;
}

/** Runs `f` with the WebAssembly kernels on or off, restoring the previous setting. */
export function withWasm<T>(on: boolean, f: () => T): T {
  const before = setWasmKernelsEnabled(on);
  try {
    return f();
  } finally {
    setWasmKernelsEnabled(before);
  }
}
