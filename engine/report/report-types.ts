// The run report: what `report.json` holds (and `report.md` renders). Versioned: readers check schemaVersion;
// fields are only added within a version.
import type { ArtifactKind } from "../events";
import type { HostInfo } from "../run/host-info";
import type { ProfileSummary } from "../run/profile";
import type { RunErrorInfo, RunResult, RunStatus } from "../run/result";
import type { LatencyStats, Throughput } from "../run/stats";
import type { BudgetVerdict } from "./budgets";
import type { ReportEvaluation, ReportOptimization } from "./optimization-report";

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportArtifact {
  kind: ArtifactKind | "other";
  /** Relative to the run directory. */
  path: string;
}

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  engineVersion: string;
  runId: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** "failed" also when the run went well but a budget was exceeded (an error `budget/failed` says which). */
  status: RunStatus;
  errors: RunErrorInfo[];
  recipe: { name: string; path?: string };
  device: { name: string; kind: "local" | "ssh" | "adb"; host?: HostInfo };
  /** null when the run failed before the model was read. */
  model: RunResult["model"] | null;
  /** null when the run failed before a session was made. */
  session: RunResult["session"] | null;
  run: {
    warmupRequested: number;
    warmupDone: number;
    iterationsRequested: number;
    iterationsDone: number;
    seed: number;
    /** Dataset samples fed in rotation; 0 when the inputs were synthetic. */
    datasetSamples: number;
  };
  /** Over the measured iterations; null when there were none. */
  latency: LatencyStats | null;
  latenciesMs: number[];
  warmupLatenciesMs: number[];
  throughput: Throughput | null;
  memory: RunResult["memory"] | null;
  profile: {
    enabled: boolean;
    /** Relative to the run directory. */
    path?: string;
    /** Said when profiling was on: it adds overhead to the measured latencies. */
    note?: string;
    summary?: ProfileSummary;
  };
  budgets: BudgetVerdict[];
  artifacts: ReportArtifact[];
  /** What the recipe's quantize and compile steps did (absent when it has neither). */
  optimization?: ReportOptimization;
  /** The produced model against the original (the recipe's `evaluate:` step). */
  evaluation?: ReportEvaluation;
}
