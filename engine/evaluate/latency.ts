// Latency of both models through the local runner (`edge run`'s engine): the same feed for both, warm-up then
// measured iterations, in a temporary output folder that is removed afterwards.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EdgeError } from "../errors";
import { makeTempDir, removeTempPath } from "../fs/temp-paths";
import type { Sample } from "../data/typed-tensor";
import { runLocal } from "../run/run-local";
import type { LatencyStats } from "../run/stats";

export interface LatencyOptions {
  /** Measured iterations per model. */
  iterations: number;
  /** Unmeasured iterations first (default 2). */
  warmup?: number;
  /** Stops the measurement after the current iteration (it then throws the signal's reason). */
  signal?: AbortSignal;
}

export async function measureLatency(path: string, sample: Sample, options: LatencyOptions): Promise<LatencyStats> {
  const outDir = await makeTempDir(join(tmpdir(), "edge-evaluate"));
  try {
    const result = await runLocal(
      { modelPath: path, outDir, samples: [sample], warmup: options.warmup ?? 2, iterations: options.iterations },
      undefined,
      options.signal,
    );
    if (result.status === "aborted") options.signal?.throwIfAborted();
    if (result.status !== "ok" || result.error || !result.stats) {
      const error = result.error;
      throw new EdgeError("run/failed", `measuring the latency of ${path} failed: ${error?.message ?? result.status}`, {
        file: path,
      });
    }
    return result.stats;
  } finally {
    await removeTempPath(outDir);
  }
}

/** Latency of both models on the same sample; speedup = original p50 / optimized p50. */
export async function measurePairLatency(original: string, optimized: string, sample: Sample, options: LatencyOptions) {
  options.signal?.throwIfAborted();
  const a = await measureLatency(original, sample, options);
  const b = await measureLatency(optimized, sample, options);
  return { iterations: options.iterations, original: a, optimized: b, speedup: b.p50Ms > 0 ? a.p50Ms / b.p50Ms : NaN };
}
