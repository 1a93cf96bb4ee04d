// Engine events: what `edge run --events jsonl` prints, one JSON object per line on stdout. Declared once here: the
// engine emits them (engine/events.ts has the sinks), the extension reads them, webviews may show them. Every event
// carries `type` and `timeMs` (milliseconds since the engine command started).
import type { BudgetVerdict } from "./budget-verdict";
import type { ErrorCode, Where } from "./error-codes";

export type StepName =
  | "load"
  | "validate"
  | "quantize"
  | "compile"
  | "deploy"
  | "session"
  | "warmup"
  | "run"
  | "profile"
  | "evaluate"
  | "report";

export interface EventBase {
  timeMs: number;
}
export interface RunStartEvent extends EventBase {
  type: "run/start";
  runId: string;
  recipe: string;
  device: string;
  outDir: string;
}
export interface StepStartEvent extends EventBase {
  type: "step/start";
  step: StepName;
  detail?: string;
}
export interface StepEndEvent extends EventBase {
  type: "step/end";
  step: StepName;
  ok: boolean;
  durationMs: number;
}
export interface ProgressEvent extends EventBase {
  type: "progress";
  step: StepName;
  done: number;
  total: number;
}
export interface IterationEvent extends EventBase {
  type: "iteration";
  /** 0-based index among the measured iterations (warm-up iterations have `warmup: true`). */
  index: number;
  warmup: boolean;
  latencyMs: number;
}
export interface KernelEvent extends EventBase {
  type: "kernel";
  /** Node name in the model graph. */
  node: string;
  opType: string;
  provider?: string;
  /** Start relative to the profile's start, and duration, in microseconds (Chrome trace units). */
  startUs: number;
  durationUs: number;
  /**
   * The measured iteration the kernel ran in (0-based, as `iteration` events count them), when the run streams its
   * profiled iterations live; absent for kernels announced after the run from its whole profile.
   */
  iteration?: number;
}
/**
 * One step of a generation benchmark (`run.generate`): the prefill of a prompt (step 0) or one greedy decode step
 * (steps 1…newTokens), each choosing one token. A live view draws tokens/s as 1000 / latencyMs per decode step, or
 * counts steps over `timeMs`; the untimed warm-up generation sends none.
 */
export interface TokenEvent extends EventBase {
  type: "token";
  /** The prompt length of this generation (one generation per `run.generate.prompt_tokens` entry). */
  promptTokens: number;
  /** Decode steps this generation does (`run.generate.new_tokens`): the last step has step === newTokens. */
  newTokens: number;
  /** 0 for the prefill, then 1…newTokens. */
  step: number;
  phase: "prefill" | "decode";
  /** Positions in the KV cache after this step (prompt + decoded tokens so far). */
  cacheLength: number;
  /** Feeds, run and argmax of this step, ms; for the prefill, the time to first token. */
  latencyMs: number;
  /** The token id the step chose (greedy). */
  tokenId: number;
  /** True while the original model generates for comparison (after the optimized model's generations). */
  reference?: boolean;
}
/** What an artifact is: the graph viewer reads `partitions.json` and `quant-error.json` beside the model. */
export type ArtifactKind =
  | "report.json"
  | "report.md"
  | "profile.json"
  | "recipe"
  | "model"
  | "partitions.json"
  | "quant-error.json"
  | "evaluation.json";

export interface ArtifactEvent extends EventBase {
  type: "artifact";
  kind: ArtifactKind;
  path: string;
}
/** A budget's verdict as the run checks it (the same fields as report.json's budgets). */
export interface BudgetEvent extends EventBase, BudgetVerdict {
  type: "budget";
}
export interface LogEvent extends EventBase {
  type: "log";
  level: "info" | "warning";
  message: string;
}
export interface ErrorEvent extends EventBase {
  type: "error";
  code: ErrorCode;
  message: string;
  where: Where;
  hint?: string;
}
export interface RunEndEvent extends EventBase {
  type: "run/end";
  ok: boolean;
  exitCode: number;
  reportPath?: string;
}

export type EngineEvent =
  | RunStartEvent
  | StepStartEvent
  | StepEndEvent
  | ProgressEvent
  | IterationEvent
  | KernelEvent
  | TokenEvent
  | ArtifactEvent
  | BudgetEvent
  | LogEvent
  | ErrorEvent
  | RunEndEvent;
