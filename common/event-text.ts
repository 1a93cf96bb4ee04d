// Engine events as text for people: a line per step start and end, a progress line, warnings and errors, each
// budget's verdict (✓/✗), a line per generation of a generation benchmark, the report's path, and a closing summary. One renderer for every place that shows a run:
// `edge run` on stderr (plain lines) and the extension's run terminal (ANSI colours, the progress line rewritten in
// place, CRLF line ends). Pure: events in, text out. Names, paths and messages in events come from recipes and
// models, so each is shown through `visible` (common/terminal-text.ts): the only escape sequences written are the
// renderer's own.
import type { BudgetEvent, EngineEvent, TokenEvent } from "./events";
import { visible } from "./terminal-text";
import { formatDuration, formatMs, formatNumber } from "./units";

export interface EventTextOptions {
  /** ANSI colours (a terminal); default false. */
  color?: boolean;
  /** Rewrite one progress line in place ("\r" and erase-line) instead of printing progress lines; default false. */
  progressInPlace?: boolean;
  /** Minimum engine time between two progress lines, in ms; default 200 in place, else 1000. The last always shows. */
  progressEveryMs?: number;
  /** Line end; default "\n". */
  eol?: "\n" | "\r\n";
}

/** What a terminal wants: colours, progress in place, CRLF (VS Code's pseudoterminal). */
export const TERMINAL_TEXT: EventTextOptions = { color: true, progressInPlace: true, eol: "\r\n" };

/** What the run said, gathered while rendering (for the closing summary and for callers). */
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

const ESC = "\x1b[";
const ANSI = {
  red: `${ESC}31m`,
  green: `${ESC}32m`,
  yellow: `${ESC}33m`,
  dim: `${ESC}2m`,
  bold: `${ESC}1m`,
  reset: `${ESC}0m`,
};
const NO_COLOR: typeof ANSI = { red: "", green: "", yellow: "", dim: "", bold: "", reset: "" };
const CLEAR_LINE = `\r${ESC}2K`;
/** Messages and hints may run over several lines; names and paths may not. */
const MESSAGE = { multiline: true };

export class EventTextRenderer {
  readonly summary: RunSummary = { ok: undefined, exitCode: undefined, budgets: [], warnings: 0, errors: 0 };
  private readonly c: typeof ANSI;
  private readonly eol: string;
  private readonly inPlace: boolean;
  private readonly progressEveryMs: number;
  private progressShown = false;
  private lastProgressMs = -Infinity;
  /** The generation whose token events are coming in. */
  private generation: { ttftMs: number; decodeMs: number; steps: number } | undefined;

  constructor(options: EventTextOptions = {}) {
    this.c = options.color ? ANSI : NO_COLOR;
    this.eol = options.eol ?? "\n";
    this.inPlace = options.progressInPlace ?? false;
    this.progressEveryMs = options.progressEveryMs ?? (this.inPlace ? 200 : 1000);
  }

  /** The text to write for one event ("" when it shows nothing). */
  render(event: EngineEvent): string {
    const c = this.c;
    switch (event.type) {
      case "run/start":
        this.summary.runId = event.runId;
        this.summary.outDir = event.outDir;
        return this.line(
          `${c.bold}edge run${c.reset} ${visible(event.recipe)} on ${c.bold}${visible(event.device)}${c.reset} ${c.dim}→ ${visible(event.outDir)}${c.reset}`,
        );
      case "step/start":
        return this.line(
          `▸ ${visible(event.step)}${event.detail ? ` ${c.dim}${visible(event.detail)}${c.reset}` : ""}`,
        );
      case "step/end":
        return this.line(
          `${event.ok ? `${c.green}✓` : `${c.red}✗`} ${visible(event.step)}${c.reset} ${c.dim}${formatDuration(event.durationMs)}${c.reset}`,
        );
      case "progress": {
        const last = event.done === event.total;
        if (!last && event.timeMs - this.lastProgressMs < this.progressEveryMs) return "";
        this.lastProgressMs = event.timeMs;
        const text = `  ${visible(event.step)} ${bar(event.done, event.total)} ${event.done}/${event.total}`;
        if (!this.inPlace) return this.line(text);
        this.progressShown = true;
        return `${CLEAR_LINE}${text}`;
      }
      case "log":
        if (event.level === "warning") this.summary.warnings++;
        return this.line(
          event.level === "warning"
            ? `${c.yellow}⚠ ${visible(event.message, MESSAGE)}${c.reset}`
            : `  ${visible(event.message, MESSAGE)}`,
        );
      case "budget":
        this.summary.budgets.push(event);
        return this.line(`  budget ${this.verdict(event)}`);
      case "error":
        this.summary.errors++;
        return this.line(
          `${c.red}✗ [${visible(event.code)}] ${visible(event.message, MESSAGE)}${c.reset}${event.hint ? `${this.eol}    ${c.dim}hint: ${visible(event.hint, MESSAGE)}${c.reset}` : ""}`,
        );
      case "artifact":
        if (event.kind === "report.json") this.summary.reportJsonPath = event.path;
        if (event.kind === "report.md") {
          this.summary.reportMdPath = event.path;
          return this.line(`  report: ${visible(event.path)}`);
        }
        return "";
      case "token":
        return this.token(event);
      case "run/end":
        this.summary.ok = event.ok;
        this.summary.exitCode = event.exitCode;
        if (event.reportPath) this.summary.reportJsonPath = event.reportPath;
        return ""; // finish() writes the closing summary
      default:
        return ""; // iteration and kernel events are for machines and live views
    }
  }

  /** The closing summary, given the engine's exit code (null when it was killed by a signal). */
  finish(exitCode: number | null, cancelled: boolean): string {
    const c = this.c;
    const s = this.summary;
    const passed = s.budgets.filter((b) => b.pass === true).length;
    const failed = s.budgets.filter((b) => b.pass === false).length;
    const status = cancelled ? `${c.yellow}cancelled` : exitCode === 0 ? `${c.green}ok` : `${c.red}failed`;
    const budgets =
      s.budgets.length > 0
        ? `, budgets ${passed}/${s.budgets.length} passed${failed ? ` (${failed} failed)` : ""}`
        : "";
    const counts = [
      s.warnings ? `${s.warnings} warning${s.warnings > 1 ? "s" : ""}` : "",
      s.errors ? `${s.errors} error${s.errors > 1 ? "s" : ""}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    const lines = [
      "",
      `${c.bold}Run ${status}${c.reset}${budgets}${counts ? `, ${counts}` : ""} ${c.dim}(exit ${exitCode ?? "signal"})${c.reset}`,
    ];
    for (const b of s.budgets) lines.push(`  ${this.verdict(b)}`);
    if (s.reportMdPath ?? s.reportJsonPath)
      lines.push(`  report: ${visible(s.reportMdPath ?? s.reportJsonPath ?? "")}`);
    return this.line(lines.join(this.eol));
  }

  /** "✓ latency_p95_ms: 2.50 ms (limit 10.0 ms)", with the reason when it was not checked. */
  verdict(b: BudgetEvent): string {
    const c = this.c;
    const mark = b.pass === null ? `${c.yellow}–` : b.pass ? `${c.green}✓` : `${c.red}✗`;
    const unit = b.unit ? ` ${visible(b.unit)}` : "";
    const actual = b.actual === null ? "not measured" : `${formatNumber(b.actual, 3)}${unit}`;
    return `${mark} ${visible(b.name)}${c.reset}: ${actual} (limit ${formatNumber(b.limit, 3)}${unit})${b.reason ? ` — ${visible(b.reason)}` : ""}`;
  }

  /**
   * Token events: nothing per token (the progress line counts them); one line per generation when its last decode
   * step arrives: time to first token and the decode rate over the steps' latencies.
   */
  private token(event: TokenEvent): string {
    if (event.phase === "prefill") {
      this.generation = { ttftMs: event.latencyMs, decodeMs: 0, steps: 0 };
      return "";
    }
    const g = this.generation;
    if (!g) return "";
    g.decodeMs += event.latencyMs;
    g.steps++;
    if (event.step !== event.newTokens) return "";
    this.generation = undefined;
    const c = this.c;
    const rate = g.decodeMs > 0 ? `${formatNumber((g.steps * 1000) / g.decodeMs, 3)} tokens/s` : "–";
    return this.line(
      `  ${event.reference ? `${c.dim}original model${c.reset} ` : ""}pp${event.promptTokens} tg${event.newTokens}: time to first token ${formatMs(g.ttftMs)}, decode ${rate}`,
    );
  }

  /** A whole line, ending the progress line first when one is showing. */
  private line(text: string): string {
    const prefix = this.progressShown ? this.eol : "";
    this.progressShown = false;
    return `${prefix}${text}${this.eol}`;
  }
}

/** Text for a terminal from plain text (stderr lines, messages): "\n" becomes "\r\n". */
export function terminalText(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}

function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.max(0, Math.min(width, Math.round((done / total) * width))) : 0;
  return `[${"█".repeat(filled)}${"·".repeat(width - filled)}]`;
}
