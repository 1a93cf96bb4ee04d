// Measurements that several persisted files share (report.json, evaluation.json): latency statistics, throughput,
// a model's files on disk, and the machine a run was measured on. Plain JSON-ready data.

/** Latency statistics of measured iterations, in milliseconds (engine/run/stats.ts says how they are computed). */
export interface LatencyStats {
  count: number;
  meanMs: number;
  stdevMs: number;
  minMs: number;
  maxMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface Throughput {
  /** 1000 / mean latency: inferences per second one after another, with no gaps. */
  fromMeanIps: number | null;
  /** Measured iterations / wall-clock time of the measured loop (includes the runner's work between inferences). */
  wallClockIps: number | null;
  /** Wall-clock time of the measured loop. */
  wallClockMs: number;
}

/** One file of a model: the .onnx file or an external data file it names. */
export interface ModelFile {
  path: string;
  role: "model" | "external-data";
  sizeBytes: number;
}

/** What the machine that ran a model is: results only compare between runs on like machines. */
export interface HostInfo {
  /** e.g. "Linux 6.1.0-18-amd64 (x64)". */
  os: string;
  /** Node's process.platform: "linux", "darwin", "win32", … */
  platform: string;
  arch: string;
  cpuModel: string;
  /** Logical CPUs the process may use. */
  cores: number;
  totalMemoryBytes: number;
  nodeVersion: string;
  onnxruntimeVersion: string;
}
