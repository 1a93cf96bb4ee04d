// One named step of an engine command as events: `step/start`, the step's work, then always `step/end` with whether
// it succeeded and how long it took. The runner (run/) and the recipe's steps (pipeline/) both announce their work
// this way; this file sits beside events.ts so every layer may use it.
import type { EventSink, StepName } from "./events";

export interface StepOptions<T> {
  /** Shown with the step's start (the method, the iteration count, …). */
  detail?: string;
  /**
   * Whether a step that returned succeeded (default: yes). A step that stops early without failing (an aborted
   * warm-up) returns normally and reports `ok: false`.
   */
  succeeded?: (value: T) => boolean;
}

/** Runs `body` as the step `name`: `step/end` follows even when it throws (with `ok: false`), and the error goes on. */
export async function step<T>(
  sink: EventSink,
  name: StepName,
  body: () => Promise<T> | T,
  options: StepOptions<T> = {},
): Promise<T> {
  const startMs = performance.now();
  sink.emit({ type: "step/start", step: name, detail: options.detail });
  let ok = false;
  try {
    const value = await body();
    ok = options.succeeded ? options.succeeded(value) : true;
    return value;
  } finally {
    sink.emit({ type: "step/end", step: name, ok, durationMs: performance.now() - startMs });
  }
}
