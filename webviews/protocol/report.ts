// The run report webview's protocol (webviews/report ⇄ extension/report). Direction is in every name: `…Command`
// webview→host (no reply), `…Request` webview→host (one reply), `Did…Notification` host→webview.
// `ReportData` mirrors engine/report/report-types.ts's RunReport (webviews may not import the engine); a type test in
// test/webviews/report.test.ts fails when the engine's report stops fitting it.
import { command, notification, request } from "./ipc";

export const REPORT_VIEW_TYPE = "edge.report";
export const REPORT_SCHEMA_VERSION = 1;

export interface LatencyStatsData {
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

export interface BudgetVerdictData {
  name: string;
  limit: number;
  actual: number | null;
  unit: string;
  /** true within the limit, false exceeded, null not checked (see reason). */
  pass: boolean | null;
  reason?: string;
}

export interface OpTypeRowData {
  opType: string;
  nodes: number;
  calls: number;
  totalUs: number;
  meanUsPerRun: number;
  share: number;
}

export interface NodeRowData {
  node: string;
  opType: string;
  provider?: string;
  calls: number;
  totalUs: number;
  meanUs: number;
  share: number;
}

export interface ReportErrorData {
  code: string;
  message: string;
  hint?: string;
  where: { file?: string; line?: number; column?: number; node?: string; device?: string };
}

export interface ReportArtifactData {
  kind: string;
  /** Relative to the run directory. */
  path: string;
}

/** What the recipe's quantize and compile steps did (engine/report/optimization-report.ts). */
export interface OptimizationData {
  quantize?: { method: string; quantized: { node: string; opType: string }[]; weights: number; sourceBytes: number; outputBytes: number; skipped: number; warnings: string[] };
  compile?: {
    provider: string;
    optimization: string;
    nodesBefore: number;
    nodesAfter: number;
    support?: { provider: string; nodes: number; providerNodes: number; partitions: number; cpuFlopShare: number };
  };
}

/** The produced model against the original (the recipe's `evaluate:` step). */
export interface EvaluationData {
  comparison: {
    original: { sizeBytes: number };
    optimized: { sizeBytes: number };
    sizeRatio: number;
    samples: number;
    inputSource: string;
    outputs: { name: string; cosine: number; maxAbsError: number; meanAbsError: number; top1Agreement: number | null; problem?: string }[];
    perplexity?: { windows: number; sequenceLength: number; original: { perplexity: number }; optimized: { perplexity: number }; increasePct: number };
    latency?: { iterations: number; original: { p50Ms: number }; optimized: { p50Ms: number }; speedup: number };
  };
  quantError?: { worst: { node: string; op_type: string; sqnr_db: number | null; note?: string }[]; measured: number; samples: number };
}

/** What the report webview reads of report.json (schemaVersion 1). */
export interface ReportData {
  schemaVersion: number;
  engineVersion: string;
  runId: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  status: "ok" | "aborted" | "failed";
  errors: ReportErrorData[];
  recipe: { name: string; path?: string };
  device: { name: string; kind: string; host?: { os: string; cpuModel: string; cores: number; onnxruntimeVersion: string } };
  model: { path: string; sizeBytes: number } | null;
  session: { creationMs: number } | null;
  run: { warmupRequested: number; warmupDone: number; iterationsRequested: number; iterationsDone: number };
  latency: LatencyStatsData | null;
  latenciesMs: number[];
  throughput: { fromMeanIps: number | null; wallClockIps: number | null; wallClockMs: number } | null;
  memory: { rssBeforeBytes: number; peakRssBytes: number; osMaxRssBytes: number } | null;
  profile: { enabled: boolean; path?: string; note?: string; summary?: { kernelTimePerRunUs: number; opTypes: OpTypeRowData[]; topNodes: NodeRowData[] } };
  budgets: BudgetVerdictData[];
  artifacts: ReportArtifactData[];
  optimization?: OptimizationData;
  evaluation?: EvaluationData;
}

/** One run as the webview sees it: its report, or why it could not be read. */
export interface RunEntry {
  /** The run directory's URI (string form); the key the webview uses in commands. */
  runDir: string;
  /** The directory's name (`<timestamp>-<recipe>-<device>`). */
  runId: string;
  report?: ReportData;
  /** Set when report.json is missing, unreadable or of another schemaVersion. */
  error?: string;
}

/** The whole state of the view: one run, or two side by side (the second compared against the first). */
export type ReportState = { mode: "single"; runs: [RunEntry] } | { mode: "compare"; runs: [RunEntry, RunEntry] };

/** What the webview keeps with `setState` (and the panel serializer gets back after a reload). */
export interface ReportPersistedState {
  runDirs: string[];
}

/** The ready request carries nothing: the host knows which runs its panel shows (the serializer restores them). */
export type ReadyParams = Record<string, never>;

/** webview→host: the app is loaded; the reply is the state to show. */
export const ReadyRequest = request<ReadyParams, ReportState>("report/ready");

export interface OpenFileParams {
  runDir: string;
  /** Relative to the run directory. */
  path: string;
}
/** webview→host: open one of the run's files in an editor. */
export const OpenFileCommand = command<OpenFileParams>("report/openFile");

/** webview→host: ask the user for another run to compare this one with. */
export const CompareWithCommand = command<{ runDir: string }>("report/compareWith");

/** host→webview: the runs shown changed (a report rewritten, another run to compare). */
export const DidChangeStateNotification = notification<ReportState>("report/didChangeState");
