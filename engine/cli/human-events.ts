// Renders engine events as human text on stderr: one line per step, a progress line while iterating, and
// warnings and errors as they come. The JSON-lines mode prints the events themselves instead.
import type { EngineEvent } from "../events";

export function humanEventWriter(write: (text: string) => void): (event: EngineEvent) => void {
  let lastProgressAt = -Infinity;
  return (event) => {
    switch (event.type) {
      case "run/start":
        write(`edge run: ${event.recipe} on ${event.device} → ${event.outDir}\n`);
        break;
      case "step/start":
        write(`  ${event.step}…${event.detail ? ` ${event.detail}` : ""}\n`);
        break;
      case "step/end":
        write(`  ${event.ok ? "✓" : "✗"} ${event.step} (${event.durationMs.toFixed(0)} ms)\n`);
        break;
      case "progress":
        // At most one progress line a second, and always the last.
        if (event.done === event.total || event.timeMs - lastProgressAt >= 1000) {
          lastProgressAt = event.timeMs;
          write(`    ${event.step} ${event.done}/${event.total}\n`);
        }
        break;
      case "log":
        write(`  ${event.level}: ${event.message}\n`);
        break;
      case "budget": {
        const mark = event.pass === null ? "–" : event.pass ? "✓" : "✗";
        const unit = event.unit ? ` ${event.unit}` : "";
        const actual = event.actual === null ? "not measured" : `${round(event.actual)}${unit}`;
        write(`  budget ${mark} ${event.name}: ${actual} (limit ${round(event.limit)}${unit})${event.reason ? ` — ${event.reason}` : ""}\n`);
        break;
      }
      case "error":
        write(`  error [${event.code}]: ${event.message}${event.hint ? `\n    hint: ${event.hint}` : ""}\n`);
        break;
      case "artifact":
        if (event.kind === "report.md") write(`  report: ${event.path}\n`);
        break;
      case "run/end":
        write(`edge run: ${event.ok ? "ok" : event.exitCode === 130 ? "stopped" : "failed"} (exit ${event.exitCode})\n`);
        break;
      default:
        break; // iteration and kernel events are for machines and live views
    }
  };
}

function round(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}
