// Writes a run's report.json and report.md (each atomically) and announces them as artifacts; also announces the
// budget verdicts as `budget` events.
import { join } from "node:path";
import { type BudgetVerdict, REPORT_JSON_FILE, REPORT_MD_FILE, type RunReport } from "../../common/report";
import type { EventSink } from "../events";
import { writeFileAtomic, writeFileAtomicSync } from "../fs/atomic";
import { renderReportMarkdown } from "./report-markdown";

export interface WrittenReport {
  jsonPath: string;
  markdownPath: string;
}

export async function writeReport(outDir: string, report: RunReport, sink?: EventSink): Promise<WrittenReport> {
  const jsonPath = join(outDir, REPORT_JSON_FILE);
  const markdownPath = join(outDir, REPORT_MD_FILE);
  await writeFileAtomic(jsonPath, reportJsonText(report));
  sink?.emit({ type: "artifact", kind: "report.json", path: jsonPath });
  await writeFileAtomic(markdownPath, renderReportMarkdown(report));
  sink?.emit({ type: "artifact", kind: "report.md", path: markdownPath });
  return { jsonPath, markdownPath };
}

/** `writeReport` without yielding and without events, for a process on its way out (a second Ctrl-C). */
export function writeReportSync(outDir: string, report: RunReport): WrittenReport {
  const jsonPath = join(outDir, REPORT_JSON_FILE);
  const markdownPath = join(outDir, REPORT_MD_FILE);
  writeFileAtomicSync(jsonPath, reportJsonText(report));
  writeFileAtomicSync(markdownPath, renderReportMarkdown(report));
  return { jsonPath, markdownPath };
}

function reportJsonText(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function emitBudgetVerdicts(sink: EventSink, verdicts: readonly BudgetVerdict[]): void {
  for (const v of verdicts)
    sink.emit({
      type: "budget",
      name: v.name,
      limit: v.limit,
      actual: v.actual,
      unit: v.unit,
      pass: v.pass,
      reason: v.reason,
    });
}
