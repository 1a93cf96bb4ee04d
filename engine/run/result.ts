// What a run measured. Produced by a runner (runLocal today; ssh/adb runners later), turned into a report by
// engine/report. An aborted or failed run still carries everything measured before it stopped. Its parts are the
// report's (common/report.ts): a RunResult's model, session and memory are report.json's as they are.
import type { GenerationResult } from "../../common/generation";
import type { HostInfo } from "../../common/measurements";
import type { DeviceKind, DeviceProbe } from "../../common/devices";
import type { DeviceTransfer, ReportMemory, RunErrorInfo, RunStatus } from "../../common/report";
import type { ResolvedInput } from "./feeds";
import type { ModelFile } from "./model-files";
import type { ExecutionMode, Optimization, SessionPlan } from "./plan";
import type { RunProfile } from "./profile-capture";
import type { LatencyStats, Throughput } from "./stats";

export type { RunErrorInfo, RunStatus } from "../../common/report";

export interface RunResult {
  status: RunStatus;
  /** Why the run failed (status "failed"). */
  error?: RunErrorInfo;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Local runs: this machine. Device runs add what the engine probed there and what it copied. */
  device: { name: string; kind: DeviceKind; host: HostInfo; probe?: DeviceProbe; transfer?: DeviceTransfer };
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
  memory: ReportMemory;
  profile: { enabled: boolean } & Partial<RunProfile>;
  /** Dataset samples fed in rotation; 0 when all inputs were synthetic. */
  datasetSamples: number;
  seed: number;
  /** The generation benchmark's measurements, when the plan generates (`plan.generate`). */
  generation?: GenerationResult;
}
