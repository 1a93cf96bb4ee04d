// The engine's event sinks: how steps emit events (one JSON object per line on stdout with `--events jsonl`). The
// event types are declared once in common/events.ts (the extension and webviews read them too) and re-exported here.
import type { EngineEvent } from "../common/events";

export type {
  ArtifactEvent,
  ArtifactKind,
  BudgetEvent,
  EngineEvent,
  ErrorEvent,
  EventBase,
  IterationEvent,
  KernelEvent,
  LogEvent,
  ProgressEvent,
  RunEndEvent,
  RunStartEvent,
  StepEndEvent,
  StepName,
  StepStartEvent,
  TokenEvent,
} from "../common/events";

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
