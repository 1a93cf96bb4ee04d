// Chrome trace events (the Trace Event Format that onnxruntime's profiles, Perfetto and chrome://tracing use), as the
// trace parser delivers them. Times are in microseconds. The profile viewer draws the phases in VIEWER_PHASES; others
// are counted and skipped by their reader.

/** One event of a Chrome trace: an object with at least a phase; everything else is optional. */
export interface TraceEvent {
  /** Phase: "X" complete, "B"/"E" begin/end, "i"/"I" instant, "C" counter, "M" metadata, … */
  ph?: string;
  name?: string;
  cat?: string;
  /** Start, µs. */
  ts?: number;
  /** Duration of an "X" event, µs. */
  dur?: number;
  pid?: number | string;
  tid?: number | string;
  args?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The phases the profile viewer shows: complete, begin, end, instant (both spellings), counter, metadata. */
export const VIEWER_PHASES: readonly string[] = ["X", "B", "E", "i", "I", "C", "M"];

/** The key a phase is counted under (`ph` itself, or "?" for an event without a string `ph`). */
export function phaseKey(event: TraceEvent): string {
  return typeof event.ph === "string" ? event.ph : "?";
}
