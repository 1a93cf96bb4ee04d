// Engine events: one JSON object per line on stdout with `--events jsonl`. Declared once here; the extension
// imports these types. Every event carries `type` and `timeMs` (milliseconds since the engine command started).
import type { Where } from "./errors";

export type StepName = "load" | "validate" | "quantize" | "compile" | "deploy" | "session" | "warmup" | "run" | "profile" | "evaluate" | "report";

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
}
/** What an artifact is: the graph viewer reads `partitions.json` and `quant-error.json` beside the model. */
export type ArtifactKind = "report.json" | "report.md" | "profile.json" | "recipe" | "model" | "partitions.json" | "quant-error.json" | "evaluation.json";

export interface ArtifactEvent extends EventBase {
  type: "artifact";
  kind: ArtifactKind;
  path: string;
}
export interface BudgetEvent extends EventBase {
  type: "budget";
  name: string;
  limit: number;
  actual: number | null;
  unit: string;
  /** null when the budget could not be checked (see `reason`). */
  pass: boolean | null;
  reason?: string;
}
export interface LogEvent extends EventBase {
  type: "log";
  level: "info" | "warning";
  message: string;
}
export interface ErrorEvent extends EventBase {
  type: "error";
  code: string;
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
  | ArtifactEvent
  | BudgetEvent
  | LogEvent
  | ErrorEvent
  | RunEndEvent;

/** Distributes an event without its timestamp; the sink stamps it. */
export type EventInput = EngineEvent extends infer E ? (E extends EngineEvent ? Omit<E, "timeMs"> : never) : never;

export interface EventSink {
  emit(event: EventInput): void;
}

/** A sink that stamps events with the time since `startMs` and hands them on. */
export function createEventSink(write: (event: EngineEvent) => void, startMs = performance.now()): EventSink {
  return {
    emit(event) {
      write({ ...event, timeMs: Math.round((performance.now() - startMs) * 1000) / 1000 } as EngineEvent);
    },
  };
}

/** A sink that drops everything (for library callers that do not listen). */
export const nullSink: EventSink = { emit() {} };
