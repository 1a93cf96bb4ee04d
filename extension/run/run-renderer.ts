// Turns engine events into the text the run's pseudoterminal shows: a line per step start and end, one progress line
// rewritten in place (at most a few times a second), warnings and errors, each budget's verdict (✓/✗), the report's
// path, and a closing summary. Pure: no VS Code, no process; terminal text uses "\r\n" and a few ANSI colours.
import type { BudgetEvent, EngineEvent } from "../../engine/events";

const ESC = "\x1b[";
const color = { red: `${ESC}31m`, green: `${ESC}32m`, yellow: `${ESC}33m`, dim: `${ESC}2m`, bold: `${ESC}1m`, reset: `${ESC}0m` };
const CLEAR_LINE = `\r${ESC}2K`;
/** Minimum time between two redraws of the progress line, in engine milliseconds. */
const PROGRESS_EVERY_MS = 200;

export interface RunSummary {
  ok: boolean | undefined;
  exitCode: number | undefined;
  runId?: string;
  outDir?: string;
  reportJsonPath?: string;
  reportMdPath?: string;
  budgets: BudgetEvent[];
  warnings: number;
  errors: number;
}

export class RunRenderer {
  readonly summary: RunSummary = { ok: undefined, exitCode: undefined, budgets: [], warnings: 0, errors: 0 };
  private progressShown = false;
  private lastProgressMs = -Infinity;

  /** The text to write for one event ("" when it shows nothing). */
  render(event: EngineEvent): string {
    switch (event.type) {
      case "run/start":
        this.summary.runId = event.runId;
        this.summary.outDir = event.outDir;
        return this.line(`${color.bold}edge run${color.reset} ${event.recipe} on ${color.bold}${event.device}${color.reset} ${color.dim}(${event.runId})${color.reset}`);
      case "step/start":
        return this.line(`▸ ${event.step}${event.detail ? ` ${color.dim}${event.detail}${color.reset}` : ""}`);
      case "step/end":
        return this.line(`${event.ok ? `${color.green}✓` : `${color.red}✗`} ${event.step}${color.reset} ${color.dim}${formatMs(event.durationMs)}${color.reset}`);
      case "progress": {
        const last = event.done === event.total;
        if (!last && event.timeMs - this.lastProgressMs < PROGRESS_EVERY_MS) return "";
        this.lastProgressMs = event.timeMs;
        this.progressShown = true;
        return `${CLEAR_LINE}  ${event.step} ${bar(event.done, event.total)} ${event.done}/${event.total}`;
      }
      case "log":
        if (event.level === "warning") this.summary.warnings++;
        return this.line(event.level === "warning" ? `${color.yellow}⚠ ${event.message}${color.reset}` : `  ${event.message}`);
      case "budget": {
        this.summary.budgets.push(event);
        return this.line(`  budget ${verdict(event)}`);
      }
      case "error":
        this.summary.errors++;
        return this.line(`${color.red}✗ [${event.code}] ${event.message}${color.reset}${event.hint ? `\r\n    ${color.dim}hint: ${event.hint}${color.reset}` : ""}`);
      case "artifact":
        if (event.kind === "report.json") this.summary.reportJsonPath = event.path;
        if (event.kind === "report.md") {
          this.summary.reportMdPath = event.path;
          return this.line(`  report: ${event.path}`);
        }
        return "";
      case "run/end":
        this.summary.ok = event.ok;
        this.summary.exitCode = event.exitCode;
        if (event.reportPath) this.summary.reportJsonPath = event.reportPath;
        return "";
      default:
        return ""; // iteration and kernel events are for live views
    }
  }

  /** The closing summary, given the engine process's exit code (null when it was killed by a signal). */
  finish(processExitCode: number | null, cancelled: boolean): string {
    const s = this.summary;
    const lines: string[] = [""];
    const passed = s.budgets.filter((b) => b.pass === true).length;
    const failed = s.budgets.filter((b) => b.pass === false).length;
    const status = cancelled ? `${color.yellow}cancelled` : processExitCode === 0 ? `${color.green}ok` : `${color.red}failed`;
    const budgets = s.budgets.length > 0 ? `, budgets ${passed}/${s.budgets.length} passed${failed ? ` (${failed} failed)` : ""}` : "";
    const counts = [s.warnings ? `${s.warnings} warning${s.warnings > 1 ? "s" : ""}` : "", s.errors ? `${s.errors} error${s.errors > 1 ? "s" : ""}` : ""].filter(Boolean).join(", ");
    lines.push(`${color.bold}Run ${status}${color.reset}${budgets}${counts ? `, ${counts}` : ""} ${color.dim}(exit ${processExitCode ?? "signal"})${color.reset}`);
    for (const b of s.budgets) lines.push(`  ${verdict(b)}`);
    if (s.reportMdPath ?? s.reportJsonPath) lines.push(`  report: ${s.reportMdPath ?? s.reportJsonPath}`);
    return this.line(lines.join("\r\n"));
  }

  /** A whole line, ending the progress line first when one is showing. */
  private line(text: string): string {
    const prefix = this.progressShown ? "\r\n" : "";
    this.progressShown = false;
    return `${prefix}${text}\r\n`;
  }
}

export function verdict(b: BudgetEvent): string {
  const mark = b.pass === null ? `${color.yellow}–` : b.pass ? `${color.green}✓` : `${color.red}✗`;
  const actual = b.actual === null ? "not measured" : `${round(b.actual)} ${b.unit}`;
  return `${mark} ${b.name}${color.reset}: ${actual} (limit ${round(b.limit)} ${b.unit})${b.reason ? ` — ${b.reason}` : ""}`;
}

/** Text for the terminal from plain text (stderr lines, messages): "\n" becomes "\r\n". */
export function terminalText(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}

function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${"█".repeat(filled)}${"·".repeat(width - filled)}]`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

function round(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}
