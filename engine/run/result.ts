// What a run measured. Produced by a runner (runLocal today; ssh/adb runners later), turned into a report by
// engine/report. An aborted or failed run still carries everything measured before it stopped.
import type { Where } from "../errors";
import type { HostInfo } from "./host-info";
import type { ResolvedInput } from "./feeds";
import type { ModelFile } from "./model-files";
import type { ExecutionMode, Optimization, SessionPlan } from "./plan";
import type { RunProfile } from "./profile-capture";
import type { LatencyStats, Throughput } from "./stats";

export type RunStatus = "ok" | "aborted" | "failed";

export interface RunErrorInfo {
  code: string;
  message: string;
  where: Where;
  hint?: string;
}

export interface RunResult {
  status: RunStatus;
  /** Why the run failed (status "failed"). */
  error?: RunErrorInfo;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  device: { name: string; kind: "local"; host: HostInfo };
  model: {
    path: string;
    /** The .onnx file plus its external data files. */
    sizeBytes: number;
    files: ModelFile[];
    inputs: ResolvedInput[];
    outputs: string[];
  };
  session: {
    /** The plan's options with defaults filled in. */
    options: SessionPlan & { optimization: Optimization; executionMode: ExecutionMode };
    /** Exactly what was given to onnxruntime, profiling options aside. */
    ortOptions: Record<string, unknown>;
    /** Time to create the session (load, optimize, allocate); 0 when the run stopped before. */
    creationMs: number;
  };
  warmup: { requested: number; done: number; latenciesMs: number[] };
  iterations: { requested: number; done: number };
  /** One entry per measured iteration: time around session.run only. */
  latenciesMs: number[];
  stats: LatencyStats | null;
  throughput: Throughput;
  memory: {
    /** Resident set size before the session was created. */
    rssBeforeBytes: number;
    /** Largest RSS sampled after session creation and after every iteration. */
    peakRssBytes: number;
    /** The OS's high-water mark of RSS for this whole process (getrusage maxrss), which includes anything the process did before the run. */
    osMaxRssBytes: number;
  };
  profile: { enabled: boolean } & Partial<RunProfile>;
  /** Dataset samples fed in rotation; 0 when all inputs were synthetic. */
  datasetSamples: number;
  seed: number;
}
