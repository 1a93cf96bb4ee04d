// A made-up but consistent RunResult, for report tests that need exact numbers.
import type { RunResult } from "../../engine/run/result";
import { latencyStats, throughput } from "../../engine/run/stats";

export function fakeResult(latenciesMs: number[] = [10, 20, 30, 40, 50]): RunResult {
  const stats = latencyStats(latenciesMs);
  return {
    status: "ok",
    startedAt: "2026-01-02T03:04:05.000Z",
    endedAt: "2026-01-02T03:04:06.000Z",
    durationMs: 1000,
    device: {
      name: "laptop",
      kind: "local",
      host: {
        os: "Linux 6.1 (x64)",
        platform: "linux",
        arch: "x64",
        cpuModel: "Test CPU",
        cores: 2,
        totalMemoryBytes: 8e9,
        nodeVersion: "v20.0.0",
        onnxruntimeVersion: "1.30.0",
      },
    },
    model: {
      path: "m.onnx",
      sizeBytes: 5_500_000,
      files: [{ path: "m.onnx", role: "model", sizeBytes: 5_500_000 }],
      inputs: [{ name: "x", dtype: "float32", shape: [1, 3], source: "synthetic" }],
      outputs: ["y"],
    },
    session: { options: { optimization: "all", executionMode: "sequential" }, ortOptions: {}, creationMs: 42 },
    warmup: { requested: 1, done: 1, latenciesMs: [99] },
    iterations: { requested: latenciesMs.length, done: latenciesMs.length },
    latenciesMs,
    stats,
    throughput: throughput(stats, latenciesMs.length, latenciesMs.reduce((a, b) => a + b, 0) + 10),
    memory: { rssBeforeBytes: 100_000_000, peakRssBytes: 150_000_000, osMaxRssBytes: 160_000_000 },
    profile: { enabled: false },
    datasetSamples: 0,
    seed: 0,
  };
}
