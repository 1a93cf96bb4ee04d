// What the reader could not take, said plainly above the timeline: a trace cut off (where it stopped), a syntax
// error after some events, skipped phases (flow, async, …), unmatched begin/end events.
import { formatBytes, formatCount } from "../../../common/units";
import type { TraceReadNotes } from "../../../common/trace/trace-model";

export function readNotes(n: TraceReadNotes): string[] {
  const out: string[] = [];
  if (n.error)
    out.push(
      `The trace stopped at byte ${formatCount(n.error.offset)}${n.error.line ? ` (line ${n.error.line})` : ""}: ${n.error.message}. The ${formatCount(n.eventCount)} events before it are shown.`,
    );
  else if (n.truncated)
    out.push(
      `The trace is cut off: it ends after ${formatBytes(n.byteLength)} without closing. The ${formatCount(n.eventCount)} complete events before the cut are shown.`,
    );
  if (n.skipped > 0) {
    const phases = Object.entries(n.phaseCounts)
      .filter(([ph]) => !["X", "B", "E", "i", "I", "C", "M", "live"].includes(ph))
      .map(([ph, c]) => `${ph} ×${formatCount(c)}`);
    out.push(
      `${formatCount(n.skipped)} events of phases the timeline does not draw were skipped (${phases.join(", ")}).`,
    );
  }
  if (n.unmatchedBegins + n.unmatchedEnds > 0)
    out.push(`${n.unmatchedBegins} begin events without an end and ${n.unmatchedEnds} ends without a begin.`);
  return out;
}
